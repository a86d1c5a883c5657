package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.junit.jupiter.api.Test;

/** The serial generator over a million draws (RA API issue, acceptance). */
class SerialNumbersTest {

    @Test
    void aMillionDrawsAreDistinctPositiveShortAndUnbiasedInTheirLow64Bits() throws IOException {
        SerialNumbers serials = new SerialNumbers(new SecureRandom());
        int draws = 1_000_000;
        Set<BigInteger> seen = new HashSet<>(draws * 2);
        long[] ones = new long[64];
        int maxDerOctets = 0;
        for (int i = 0; i < draws; i++) {
            BigInteger s = serials.next();
            assertThat(s.signum()).isPositive();
            assertThat(seen.add(s)).as("duplicate serial %s", s.toString(16)).isTrue();
            long low = s.longValue(); // the low 64 bits
            for (int bit = 0; bit < 64; bit++) {
                ones[bit] += (low >>> bit) & 1;
            }
            if ((i & 0xfff) == 0) {
                // RFC 5280 §4.1.2.2: at most 20 octets of content; the DER INTEGER is tag, length, content.
                maxDerOctets = Math.max(maxDerOctets, new ASN1Integer(s).getEncoded().length - 2);
            }
        }
        assertThat(seen).hasSize(draws);
        assertThat(maxDerOctets).isBetween(1, 17);
        for (int bit = 0; bit < 64; bit++) {
            double share = ones[bit] / (double) draws;
            // 49–51 %: ±1 % of a million draws is 20 standard deviations; a fair bit leaves it with
            // probability below 10^-80, so this fails only for a biased generator.
            assertThat(share).as("bit %d set in %.4f of draws", bit, share).isBetween(0.49, 0.51);
        }
    }

    @Test
    void everyDrawHas64To128BitsAndEncodesInAtMost17Octets() throws IOException {
        SerialNumbers serials = new SerialNumbers(new SecureRandom());
        for (int i = 0; i < 10_000; i++) {
            BigInteger s = serials.next();
            assertThat(s.bitLength()).isBetween(SerialNumbers.MIN_BITS, SerialNumbers.BITS);
            assertThat(new ASN1Integer(s).getEncoded().length - 2).isLessThanOrEqualTo(17);
        }
    }
}
