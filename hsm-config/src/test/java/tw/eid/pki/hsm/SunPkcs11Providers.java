package tw.eid.pki.hsm;

import java.security.Provider;
import java.security.Security;

/**
 * A plain SunPKCS11 provider on a token's slot, for tests and for the benchmark's peer ("the same
 * operation called directly on SunPKCS11"). Production code never holds one: it would hand out
 * PrivateKey objects.
 */
public final class SunPkcs11Providers {
    private SunPkcs11Providers() {}

    public static Provider forToken(Token token) {
        String config = "--name=" + token.label().replaceAll("[^A-Za-z0-9]", "") + "\n"
                + "library=" + token.config().library() + "\n"
                + "slot=" + token.slot() + "\n"
                // Keys this provider generates (the benchmark's peer) get the same template as ours.
                + "attributes(generate,CKO_PRIVATE_KEY,*) = {\n"
                + "  CKA_TOKEN = true\n  CKA_PRIVATE = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n"
                + "  CKA_SIGN = true\n  CKA_DECRYPT = false\n  CKA_UNWRAP = false\n  CKA_DERIVE = false\n}\n"
                + "attributes(generate,CKO_PUBLIC_KEY,*) = {\n  CKA_TOKEN = true\n}\n";
        Provider p = Security.getProvider("SunPKCS11").configure(config);
        Security.addProvider(p);
        return p;
    }
}
