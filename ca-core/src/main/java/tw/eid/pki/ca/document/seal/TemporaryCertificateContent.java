package tw.eid.pki.ca.document.seal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the seal of a temporary ID certificate (臨時國民身分證證明書) carries, and its feature tags
 * (docs/profiles.md "Temporary ID certificate seal", profile {@code tw-temporary-id/1}).
 *
 * <p>Header bytes, after BSI TR-03171 §3.1 (seals on administrative documents): document feature
 * definition reference {@value #FEATURE_DEFINITION_REFERENCE} and document type category
 * {@value #DOCUMENT_TYPE_CATEGORY} (0xC8, "Verwaltungsdokument"). As TR-03171 §3.2 asks, tag 0x00
 * holds the document profile number, a 128-bit random (version 4) UUID that names this profile
 * ({@link #PROFILE_NUMBER}); TR-03171's optional tag 0x01 (validity as ASCII YYYYMMDD) is not used:
 * the validity is in tags 0x05 and 0x06 as the TR-03137 Date type. Tags 0x02 and 0x03 stay
 * reserved; ours start at 0x04, as TR-03171 leaves 0x04 to 0xFE to the profile:
 *
 * <pre>
 * 0x00 profile number       16 bytes (UUID 917861DC-8489-4EB1-B59C-26BF30101B14)
 * 0x04 document number      C40, 1 to 20 of A-Z 0-9
 * 0x05 valid from           Date (first day of validity)
 * 0x06 valid until          Date (last day of validity)
 * 0x07 national ID          C40, the 10 characters
 * 0x08 holder's name        UTF-8 (NFC as registered), 1 to {@value #MAX_NAME_BYTES} bytes
 * 0x09 birth date           Date
 * 0x0A issuing office code  C40, 1 to 12 of A-Z 0-9
 * </pre>
 *
 * {@link #toString()} never prints the national ID or the name.
 */
public record TemporaryCertificateContent(
        String documentNumber,
        LocalDate validFrom,
        LocalDate validUntil,
        String nationalId,
        String name,
        LocalDate birthDate,
        String officeCode) {

    public static final int FEATURE_DEFINITION_REFERENCE = 0x01;
    public static final int DOCUMENT_TYPE_CATEGORY = 0xC8;
    /** The longest name the seal carries, in UTF-8 bytes (30 characters of the CJK blocks). */
    public static final int MAX_NAME_BYTES = 90;

    public static final int TAG_PROFILE = 0x00;
    public static final int TAG_DOCUMENT_NUMBER = 0x04;
    public static final int TAG_VALID_FROM = 0x05;
    public static final int TAG_VALID_UNTIL = 0x06;
    public static final int TAG_NATIONAL_ID = 0x07;
    public static final int TAG_NAME = 0x08;
    public static final int TAG_BIRTH_DATE = 0x09;
    public static final int TAG_OFFICE = 0x0A;

    private static final byte[] PROFILE_NUMBER_BYTES = HexFormat.of().parseHex("917861DC84894EB1B59C26BF30101B14");
    private static final Pattern DOCUMENT_NUMBER = Pattern.compile("[A-Z0-9]{1,20}");
    private static final Pattern NATIONAL_ID = Pattern.compile("[A-Z][12][0-9]{8}");
    private static final Pattern OFFICE = Pattern.compile("[A-Z0-9]{1,12}");

    public TemporaryCertificateContent {
        if (!DOCUMENT_NUMBER.matcher(documentNumber).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "document number is 1 to 20 of A-Z 0-9");
        }
        if (!NATIONAL_ID.matcher(nationalId).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "national ID is a letter, 1 or 2, 8 digits");
        }
        if (!OFFICE.matcher(officeCode).matches()) {
            throw new SealException(SealException.Code.UNENCODABLE, "office code is 1 to 12 of A-Z 0-9");
        }
        if (name.isEmpty()) {
            throw new SealException(SealException.Code.UNENCODABLE, "no name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new SealException(
                    SealException.Code.NAME_TOO_LONG,
                    "the name is longer than the seal's " + MAX_NAME_BYTES + " bytes");
        }
        if (validUntil.isBefore(validFrom)) {
            throw new SealException(SealException.Code.UNENCODABLE, "valid until is before valid from");
        }
    }

    /** The profile number of tag 0x00. */
    public static byte[] profileNumber() {
        return PROFILE_NUMBER_BYTES.clone();
    }

    /** The message zone, in tag order. */
    public List<SealFeature> features() {
        return List.of(
                new SealFeature(TAG_PROFILE, PROFILE_NUMBER_BYTES),
                new SealFeature(TAG_DOCUMENT_NUMBER, C40.encode(documentNumber)),
                new SealFeature(TAG_VALID_FROM, SealDate.encode(validFrom)),
                new SealFeature(TAG_VALID_UNTIL, SealDate.encode(validUntil)),
                new SealFeature(TAG_NATIONAL_ID, C40.encode(nationalId)),
                new SealFeature(TAG_NAME, name.getBytes(StandardCharsets.UTF_8)),
                new SealFeature(TAG_BIRTH_DATE, SealDate.encode(birthDate)),
                new SealFeature(TAG_OFFICE, C40.encode(officeCode)));
    }

    /** A header of version 4 for this profile. */
    public static SealHeader header(
            String signerIdentifier, String certificateReference, LocalDate issueDate, LocalDate signatureDate) {
        return new SealHeader(
                SealHeader.VERSION_4,
                "TWN",
                signerIdentifier,
                certificateReference,
                issueDate,
                signatureDate,
                FEATURE_DEFINITION_REFERENCE,
                DOCUMENT_TYPE_CATEGORY);
    }

    /**
     * The content of a seal of this profile; a seal of another profile (header bytes, profile number,
     * a missing or repeated feature) is {@link SealException.Code#WRONG_PROFILE}. Features with tags
     * this profile does not define are ignored (BSI TR-03137 Part 1 §3.2.3).
     */
    public static TemporaryCertificateContent of(VisibleDigitalSeal seal) {
        SealHeader h = seal.header();
        if (h.version() != SealHeader.VERSION_4
                || h.featureDefinitionReference() != FEATURE_DEFINITION_REFERENCE
                || h.documentTypeCategory() != DOCUMENT_TYPE_CATEGORY) {
            throw new SealException(SealException.Code.WRONG_PROFILE, "not a temporary ID certificate seal header");
        }
        if (!Arrays.equals(only(seal, TAG_PROFILE), PROFILE_NUMBER_BYTES)) {
            throw new SealException(SealException.Code.WRONG_PROFILE, "another document profile number");
        }
        return new TemporaryCertificateContent(
                C40.decode(only(seal, TAG_DOCUMENT_NUMBER)),
                SealDate.decode(only(seal, TAG_VALID_FROM)),
                SealDate.decode(only(seal, TAG_VALID_UNTIL)),
                C40.decode(only(seal, TAG_NATIONAL_ID)),
                utf8(only(seal, TAG_NAME)),
                SealDate.decode(only(seal, TAG_BIRTH_DATE)),
                C40.decode(only(seal, TAG_OFFICE)));
    }

    private static byte[] only(VisibleDigitalSeal seal, int tag) {
        List<SealFeature> found =
                seal.features().stream().filter(f -> f.tag() == tag).toList();
        if (found.size() != 1) {
            throw new SealException(
                    SealException.Code.WRONG_PROFILE, "feature 0x" + Integer.toHexString(tag) + " not exactly once");
        }
        return found.get(0).value();
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SealException(SealException.Code.MALFORMED, "the name is not UTF-8");
        }
    }

    @Override
    public String toString() {
        return "TemporaryCertificateContent[" + documentNumber + ", " + validFrom + ".." + validUntil + ", office "
                + officeCode + "]";
    }
}
