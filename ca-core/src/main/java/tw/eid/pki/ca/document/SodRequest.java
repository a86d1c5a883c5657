package tw.eid.pki.ca.document;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import tw.eid.pki.ca.card.CardRegistration;

/**
 * What the personalization line asks to have signed: the card, and each data group's number and
 * hash under one algorithm. Checked on construction; every refusal is a {@link SodException} with
 * its own code, raised before anything is stored or signed.
 *
 * @param ldsVersion  null for an LDSSecurityObject v0; with it, v1 carrying LDSVersionInfo
 */
public record SodRequest(
        String cardNumber, HashAlgorithm hashAlgorithm, List<DataGroupHash> dataGroups, LdsVersion ldsVersion) {

    /** ICAO 9303-10: DG1..DG16 are the data groups of the LDS. */
    public static final int MAX_DATA_GROUP = 16;
    /** ICAO 9303-10: LDSSecurityObject.dataGroupHashValues is SEQUENCE SIZE (2..ub-DataGroups). */
    public static final int MIN_DATA_GROUPS = 2;

    /** A data group's number (1..16) and its hash. */
    public record DataGroupHash(int number, byte[] hash) {
        public DataGroupHash {
            Objects.requireNonNull(hash, "hash");
            hash = hash.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }
    }

    /**
     * LDSVersionInfo (ICAO 9303-10 §4.6.2.2): ldsVersion "aabb" (e.g. "0108" for LDS 1.8) and
     * unicodeVersion "aabbcc" (e.g. "040000"), both PrintableString digits.
     */
    public record LdsVersion(String ldsVersion, String unicodeVersion) {
        private static final Pattern LDS = Pattern.compile("[0-9]{4}");
        private static final Pattern UNICODE = Pattern.compile("[0-9]{6}");

        public LdsVersion {
            if (ldsVersion == null || !LDS.matcher(ldsVersion).matches()) {
                throw new SodException(SodException.Code.BAD_LDS_VERSION, "ldsVersion must be four digits, e.g. 0108");
            }
            if (unicodeVersion == null || !UNICODE.matcher(unicodeVersion).matches()) {
                throw new SodException(
                        SodException.Code.BAD_LDS_VERSION, "unicodeVersion must be six digits, e.g. 040000");
            }
        }
    }

    public SodRequest {
        CardRegistration.requireCardNumber(cardNumber);
        Objects.requireNonNull(hashAlgorithm, "hashAlgorithm");
        if (dataGroups == null || dataGroups.isEmpty()) {
            throw new SodException(SodException.Code.NO_DATA_GROUPS, "at least one data group hash is required");
        }
        Set<Integer> seen = new HashSet<>();
        for (DataGroupHash g : dataGroups) {
            Objects.requireNonNull(g, "data group");
            if (g.number() < 1 || g.number() > MAX_DATA_GROUP) {
                throw new SodException(
                        SodException.Code.UNKNOWN_DATA_GROUP,
                        "data group " + g.number() + " is not one of DG1..DG" + MAX_DATA_GROUP);
            }
            if (!seen.add(g.number())) {
                throw new SodException(
                        SodException.Code.DUPLICATE_DATA_GROUP, "data group " + g.number() + " is listed twice");
            }
            if (g.hash.length != hashAlgorithm.length()) {
                throw new SodException(
                        SodException.Code.BAD_HASH_LENGTH,
                        "the hash of data group " + g.number() + " has " + g.hash.length + " bytes; "
                                + hashAlgorithm.jcaName() + " has " + hashAlgorithm.length());
            }
        }
        if (dataGroups.size() < MIN_DATA_GROUPS) {
            // Checked after each group's own rules, so a lone bad group is reported as what it is.
            throw new SodException(
                    SodException.Code.TOO_FEW_DATA_GROUPS,
                    "an SOD lists at least " + MIN_DATA_GROUPS
                            + " data groups (ICAO 9303-10: dataGroupHashValues SIZE (2..16))");
        }
        // ICAO 9303-10 lists the hashes in data-group order; sorting makes the SOD independent of input order.
        List<DataGroupHash> sorted = new ArrayList<>(dataGroups);
        sorted.sort(Comparator.comparingInt(DataGroupHash::number));
        dataGroups = List.copyOf(sorted);
    }

    /** The data-group numbers, comma-separated, as stored and audited (no hashes). */
    public String dataGroupNumbers() {
        StringBuilder b = new StringBuilder();
        for (DataGroupHash g : dataGroups) {
            b.append(b.length() == 0 ? "" : ",").append(g.number());
        }
        return b.toString();
    }
}
