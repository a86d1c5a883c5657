package tw.eid.pki.crl;

/** A CRL the publisher will not publish: it failed a check before replacing its predecessor. */
public final class CrlRefusedException extends RuntimeException {
    public CrlRefusedException(String message) {
        super(message);
    }

    public CrlRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
