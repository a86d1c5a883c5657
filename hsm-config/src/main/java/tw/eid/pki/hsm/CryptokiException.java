package tw.eid.pki.hsm;

/** A PKCS#11 call returned something other than CKR_OK. */
final class CryptokiException extends Exception {
    private final long ckr;

    CryptokiException(long ckr, String function) {
        super(function + " returned " + Pkcs11.name(ckr));
        this.ckr = ckr;
    }

    long ckr() {
        return ckr;
    }
}
