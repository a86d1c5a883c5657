package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;
import sun.security.pkcs11.wrapper.CK_MECHANISM;
import sun.security.pkcs11.wrapper.CK_TOKEN_INFO;
import sun.security.pkcs11.wrapper.PKCS11;
import sun.security.pkcs11.wrapper.PKCS11Exception;

/**
 * Raw PKCS#11 calls through the JDK's own wrapper (not hsm-config), for what pkcs11-tool cannot
 * show: reading a private key's value, wrapping a private key, and a secret key's CKA_SIGN. Kept
 * out of the test class so that test discovery (in Maven's JVM, without the wrapper's
 * add-exports) never loads the wrapper's classes.
 */
final class RawPkcs11Probe {
    private RawPkcs11Probe() {}

    // PKCS#11 constants (PKCS #11 v2.40).
    private static final long CKF_SERIAL_SESSION = 0x4;
    private static final long CKU_USER = 1;
    private static final long CKA_CLASS = 0x0;
    private static final long CKA_VALUE = 0x11;
    private static final long CKA_LABEL = 0x3;
    private static final long CKA_ID = 0x102;
    private static final long CKA_ENCRYPT = 0x104;
    private static final long CKA_DECRYPT = 0x105;
    private static final long CKA_WRAP = 0x106;
    private static final long CKA_UNWRAP = 0x107;
    private static final long CKA_SIGN = 0x108;
    private static final long CKA_VERIFY = 0x10A;
    private static final long CKA_DERIVE = 0x10C;
    private static final long CKA_EXTRACTABLE = 0x162;
    private static final long CKO_PRIVATE_KEY = 3;
    private static final long CKO_SECRET_KEY = 4;
    private static final long CKM_AES_KEY_WRAP_PAD = 0x210A;
    private static final long CKR_ATTRIBUTE_SENSITIVE = 0x11;
    private static final long CKR_KEY_UNEXTRACTABLE = 0x6A;

    /**
     * This JVM has not loaded SoftHSM2 before (the ceremony ran in a child), so it sees the tokens.
     * Reads CKA_VALUE of every private key (refused as sensitive), tries to wrap each with the
     * attacker's key (refused as unextractable), and reads the secret keys' usage attributes that
     * pkcs11-tool does not print.
     *
     * <p>No method, field or lambda of this class mentions a wrapper type in its signature: JUnit's
     * discovery reflects over every class of the package in Maven's JVM, which lacks the exports.
     */
    static void checkKeys(
            String offlineLabel, char[] offlinePin, String onlineLabel, char[] onlinePin, byte[] wrapKeyId)
            throws Exception {
        PKCS11 p11 = PKCS11.getInstance(Pkcs11Tool.LIBRARY, "C_GetFunctionList", null, false);
        for (String token : List.of(offlineLabel, onlineLabel)) {
            long slot = slotOf(p11, token);
            long session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION, null, null);
            try {
                p11.C_Login(session, CKU_USER, token.equals(offlineLabel) ? offlinePin : onlinePin);
                Set<String> expected =
                        token.equals(offlineLabel) ? CeremonySpec.OFFLINE_KEYS : CeremonySpec.ONLINE_KEY_PAIRS;
                long wrapKey = token.equals(onlineLabel) ? find(p11, session, CKO_SECRET_KEY, CKA_ID, wrapKeyId) : -1;
                for (String label : expected) {
                    long key = find(p11, session, CKO_PRIVATE_KEY, CKA_LABEL, label.toCharArray());
                    long readError = 0;
                    try {
                        p11.C_GetAttributeValue(session, key, new CK_ATTRIBUTE[] {new CK_ATTRIBUTE(CKA_VALUE)});
                    } catch (Exception e) {
                        readError = ((PKCS11Exception) e).getErrorCode();
                    }
                    assertThat(readError).as(label + " CKA_VALUE").isEqualTo(CKR_ATTRIBUTE_SENSITIVE);
                    CK_ATTRIBUTE[] extractable = {new CK_ATTRIBUTE(CKA_EXTRACTABLE)};
                    p11.C_GetAttributeValue(session, key, extractable);
                    assertThat(extractable[0].getBoolean())
                            .as(label + " CKA_EXTRACTABLE")
                            .isFalse();
                    if (wrapKey >= 0) {
                        long wrapError = 0;
                        try {
                            p11.C_WrapKey(session, new CK_MECHANISM(CKM_AES_KEY_WRAP_PAD), wrapKey, key);
                        } catch (Exception e) {
                            wrapError = ((PKCS11Exception) e).getErrorCode();
                        }
                        assertThat(wrapError).as(label + " wrap").isEqualTo(CKR_KEY_UNEXTRACTABLE);
                    }
                }
                if (token.equals(onlineLabel)) {
                    assertThat(usage(
                                    p11,
                                    session,
                                    find(p11, session, CKO_SECRET_KEY, CKA_LABEL, "pii-aes-1".toCharArray())))
                            .as("AES")
                            .containsExactlyInAnyOrder("encrypt", "decrypt");
                    assertThat(usage(
                                    p11,
                                    session,
                                    find(p11, session, CKO_SECRET_KEY, CKA_LABEL, "pii-hmac-1".toCharArray())))
                            .as("HMAC")
                            .containsExactlyInAnyOrder("sign", "verify");
                }
            } finally {
                p11.C_CloseSession(session);
            }
        }
    }

    private static Set<String> usage(Object module, long session, long key) throws Exception {
        PKCS11 p11 = (PKCS11) module;
        long[] types = {CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_VERIFY, CKA_DERIVE};
        String[] names = {"encrypt", "decrypt", "wrap", "unwrap", "sign", "verify", "derive"};
        CK_ATTRIBUTE[] attrs = new CK_ATTRIBUTE[types.length];
        for (int i = 0; i < types.length; i++) {
            attrs[i] = new CK_ATTRIBUTE(types[i]);
        }
        p11.C_GetAttributeValue(session, key, attrs);
        Set<String> set = new java.util.TreeSet<>();
        for (int i = 0; i < types.length; i++) {
            if (attrs[i].getBoolean()) {
                set.add(names[i]);
            }
        }
        return set;
    }

    private static long slotOf(Object module, String label) throws Exception {
        PKCS11 p11 = (PKCS11) module;
        for (long slot : p11.C_GetSlotList(true)) {
            CK_TOKEN_INFO info = p11.C_GetTokenInfo(slot);
            if (new String(info.label).strip().equals(label)) {
                return slot;
            }
        }
        throw new AssertionError("token " + label + " not visible to this JVM");
    }

    private static long find(Object module, long session, long objectClass, long attribute, Object value)
            throws Exception {
        PKCS11 p11 = (PKCS11) module;
        CK_ATTRIBUTE match = value instanceof char[] c
                ? new CK_ATTRIBUTE(attribute, c)
                : new CK_ATTRIBUTE(attribute, (byte[]) value);
        p11.C_FindObjectsInit(session, new CK_ATTRIBUTE[] {new CK_ATTRIBUTE(CKA_CLASS, objectClass), match});
        try {
            long[] found = p11.C_FindObjects(session, 2);
            assertThat(found)
                    .as("objects of class " + objectClass + " matching")
                    .hasSize(1);
            return found[0];
        } finally {
            p11.C_FindObjectsFinal(session);
        }
    }
}
