package tw.eid.pki.ca.store;

/** What {@link Database#open} does with the schema before handing out connections. */
public enum SchemaMigration {
    /** Apply pending Flyway migrations (the account needs DDL rights). The default. */
    APPLY,
    /**
     * Only check that the schema is exactly at the migrations this build carries, and refuse to start
     * otherwise. Needs SELECT on {@code flyway_schema_history} only: for read-only roles such as the
     * OCSP responder, which must not run against a schema it does not know.
     */
    VALIDATE,
    /** Touch nothing. For tools that open a database whose schema they do not own. */
    NONE
}
