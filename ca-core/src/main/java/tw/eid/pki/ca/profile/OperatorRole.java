package tw.eid.pki.ca.profile;

/**
 * What an operator certificate lets its holder do at the RA API (docs/api.md). The role travels as
 * exactly one certificate policy OID in the operator certificate (docs/profiles.md: "a certificate
 * policy OID per role"); {@link ProfileSettings#operatorRolePolicies()} maps roles to OIDs and
 * {@link ProfileSettings#operatorRole(String)} maps back.
 */
public enum OperatorRole {
    /** Household registration officer: registers cards, issues, suspends, resumes, revokes. */
    OFFICER("officer"),
    /** Approves and requests bulk acts (two-person rule). */
    SUPERVISOR("supervisor"),
    /** Reads the audit trail and cards without clear personal data. */
    AUDITOR("auditor"),
    /** Issues and revokes operator certificates ({@code bin/eidpki operator}). */
    ADMIN("admin"),
    /** The chip personalization system (a machine, not a person). */
    PERSONALIZATION("personalization");

    private final String id;

    OperatorRole(String id) {
        this.id = id;
    }

    /** The stable name, e.g. {@code officer}. */
    public String id() {
        return id;
    }

    /** The role named {@code id}. */
    public static OperatorRole fromId(String id) {
        for (OperatorRole r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown operator role: " + id);
    }
}
