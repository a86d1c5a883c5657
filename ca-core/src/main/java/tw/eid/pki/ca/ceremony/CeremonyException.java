package tw.eid.pki.ca.ceremony;

/**
 * A ceremony refused or stopped, with one clear line for the custodians. The CLI prints the
 * message and exits 2.
 */
public final class CeremonyException extends RuntimeException {
    public CeremonyException(String message) {
        super(message);
    }

    public CeremonyException(String message, Throwable cause) {
        super(message, cause);
    }
}
