package tw.eid.pki.ca.cvc;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Set;

/**
 * An agency's authorization record (docs/operations.md "Agency authorization"): who the agency is,
 * the legal basis of its need, its terminal type and the exact rights reviewed, the terminal sector
 * (for restricted identification), the certificate description shown on consent screens, the
 * longest validity of one terminal certificate (at most 31 days) and the record's end date.
 *
 * @param id 0 before it is stored
 */
public record AgencyRecord(
        long id,
        String agency,
        String legalBasis,
        TerminalType type,
        Set<AccessRight> rights,
        byte[] sectorKeyHash,
        CertificateDescription description,
        int maxValidityDays,
        LocalDate endDate,
        String holderMnemonic,
        Status status,
        String requestedBy,
        String decidedBy) {

    /** REQUESTED by an officer; ACTIVE once a supervisor approves; SUSPENDED, REVOKED or REFUSED. */
    public enum Status {
        REQUESTED,
        ACTIVE,
        SUSPENDED,
        REVOKED,
        REFUSED
    }

    public AgencyRecord {
        Objects.requireNonNull(agency, "agency");
        Objects.requireNonNull(legalBasis, "legalBasis");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(endDate, "endDate");
        Objects.requireNonNull(status, "status");
        rights = Set.copyOf(rights);
        if (agency.isBlank() || agency.length() > 200 || legalBasis.isBlank() || legalBasis.length() > 500) {
            throw new CvException(CvException.Code.MALFORMED, "agency (1..200) and legal basis (1..500) are required");
        }
        if (rights.isEmpty()) {
            throw new CvException(CvException.Code.RIGHTS, "a record grants at least one right");
        }
        new Chat(type, CvRole.TERMINAL, rights); // every right of the record's type
        if (maxValidityDays < 1 || maxValidityDays > 31) {
            throw new CvException(CvException.Code.VALIDITY, "a terminal certificate is valid 1..31 days");
        }
        if (sectorKeyHash != null && sectorKeyHash.length != 32) {
            throw new CvException(CvException.Code.MALFORMED, "the sector key hash is 32 bytes (SHA-256)");
        }
        if (holderMnemonic == null || !holderMnemonic.matches("[A-Z0-9]{1,9}")) {
            throw new CvException(CvException.Code.HOLDER_REFERENCE, "the holder mnemonic is 1..9 of A-Z, 0-9");
        }
        sectorKeyHash = sectorKeyHash == null ? null : sectorKeyHash.clone();
    }

    @Override
    public byte[] sectorKeyHash() {
        return sectorKeyHash == null ? null : sectorKeyHash.clone();
    }

    /** The rights as the CHAT of a terminal certificate. */
    public Chat chat() {
        return new Chat(type, CvRole.TERMINAL, rights);
    }
}
