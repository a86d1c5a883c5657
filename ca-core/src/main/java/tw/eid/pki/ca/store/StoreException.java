package tw.eid.pki.ca.store;

import java.util.Objects;

/**
 * A failure of the store: the database could not be started, reached, migrated or written. Each
 * failure has a stable {@link Code}; the edge (HTTP, CLI) maps it once. The message is short and
 * carries no row data, because rows can hold personal data; the SQL cause stays attached for the
 * server log.
 */
public final class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why the store refused or failed. The {@link #id()} strings are stable. */
    public enum Code {
        /** Settings were refused at start-up (bad URL, unreadable or too widely readable password file). */
        INVALID_SETTINGS("store.invalid-settings"),
        /** The embedded MariaDB server could not be installed, started or stopped. */
        EMBEDDED_SERVER("store.embedded-server"),
        /** Schema migration or validation failed. */
        MIGRATION("store.migration"),
        /** A statement or commit failed for a reason that retrying would not fix. */
        SQL("store.sql"),
        /** A transaction kept hitting deadlocks or Galera certification conflicts. */
        CONFLICT("store.conflict"),
        /**
         * No database node could serve: none reachable, none in the primary component, or the
         * transaction kept losing its node. Nothing was committed; trying again later is safe.
         */
        UNAVAILABLE("store.unavailable"),
        /**
         * The connection broke while the transaction was committing: it may or may not have
         * committed. Read the state back (or retry with the same idempotency key) before acting.
         */
        OUTCOME_UNKNOWN("store.outcome-unknown"),
        /** The thread was interrupted while waiting to retry a transaction. */
        INTERRUPTED("store.interrupted");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        /** The stable short code, e.g. {@code store.conflict}. */
        public String id() {
            return id;
        }
    }

    private final Code code;

    public StoreException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public StoreException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }
}
