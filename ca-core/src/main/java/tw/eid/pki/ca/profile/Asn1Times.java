package tw.eid.pki.ca.profile;

import java.io.IOException;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERUTCTime;
import org.bouncycastle.asn1.x509.Time;

/** Times as RFC 5280 wants them encoded. */
final class Asn1Times {

    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'");

    private Asn1Times() {}

    /** X.509 and CRLs carry whole seconds (RFC 5280 §4.1.2.5.1, §4.1.2.5.2). */
    static Instant seconds(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * RFC 5280 §4.1.2.5 and §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050, both in
     * Zulu time with seconds and no fraction.
     */
    static Time time(Instant t) {
        ZonedDateTime z = seconds(t).atZone(ZoneOffset.UTC);
        if (z.getYear() < 2050) {
            return new Time(new DERUTCTime(UTC_TIME.format(z)));
        }
        return new Time(new DERGeneralizedTime(GENERALIZED_TIME.format(z)));
    }

    /** GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.2), as privateKeyUsagePeriod uses. */
    static ASN1GeneralizedTime generalized(Instant t) {
        return new DERGeneralizedTime(GENERALIZED_TIME.format(seconds(t).atZone(ZoneOffset.UTC)));
    }

    /** Null when {@code time} is encoded as RFC 5280 §4.1.2.5 requires, else what is wrong. */
    static String problem(Time time) {
        ASN1Primitive p = time.toASN1Primitive();
        try {
            Instant t = time.getDate().toInstant();
            int year = t.atZone(ZoneOffset.UTC).getYear();
            if (p instanceof ASN1UTCTime utc) {
                if (year >= 2050) {
                    return "UTCTime used for a year from 2050";
                }
                return isZulu(utc, 13) ? null : "UTCTime is not YYMMDDHHMMSSZ: " + utc;
            }
            if (p instanceof ASN1GeneralizedTime gt) {
                return problem(gt, year < 2050 ? "GeneralizedTime used for a year before 2050" : null);
            }
            return "not a Time";
        } catch (Exception e) {
            return "unparsable time: " + e.getMessage();
        }
    }

    /** Null when {@code gt} is YYYYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.2), else what is wrong. */
    static String problem(ASN1GeneralizedTime gt, String otherwise) {
        if (!isZulu(gt, 15)) {
            return "GeneralizedTime is not YYYYMMDDHHMMSSZ: " + gt.getTimeString();
        }
        return otherwise;
    }

    /** DER contents of exactly {@code length} octets: digits, then 'Z'. */
    private static boolean isZulu(ASN1Primitive time, int length) {
        try {
            byte[] der = time.getEncoded(ASN1Encoding.DER);
            if (der.length != length + 2 || der[1] != length || der[der.length - 1] != 'Z') {
                return false;
            }
            for (int i = 2; i < der.length - 1; i++) {
                if (der[i] < '0' || der[i] > '9') {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Instant instant(ASN1GeneralizedTime gt) {
        try {
            return gt.getDate().toInstant();
        } catch (ParseException e) {
            throw new IllegalArgumentException("bad GeneralizedTime", e);
        }
    }
}
