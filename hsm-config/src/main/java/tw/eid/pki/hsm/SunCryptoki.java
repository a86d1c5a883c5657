package tw.eid.pki.hsm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;
import sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS;
import sun.security.pkcs11.wrapper.CK_GCM_PARAMS;
import sun.security.pkcs11.wrapper.CK_MECHANISM;
import sun.security.pkcs11.wrapper.CK_TOKEN_INFO;
import sun.security.pkcs11.wrapper.PKCS11;
import sun.security.pkcs11.wrapper.PKCS11Exception;

/**
 * {@link Cryptoki} over the JDK's SunPKCS11 wrapper ({@code jdk.crypto.cryptoki}). The wrapper
 * initialises a library once per JVM and keeps it: a library that is broken beyond a new login
 * needs the process to restart (see {@link TokenHealth#restartRequired()}).
 */
final class SunCryptoki implements Cryptoki {
    private final PKCS11 p11;

    private SunCryptoki(PKCS11 p11) {
        this.p11 = p11;
    }

    static SunCryptoki load(Path library) {
        try {
            // CKF_OS_LOCKING_OK: we call the library from many threads. With NULL arguments
            // C_Initialize lets a library assume a single-threaded caller (PKCS#11 v2.40 §5.4), and
            // SoftHSM2 then runs without mutexes: concurrent C_EncryptInit calls crashed the JVM
            // in its object maps. SunPKCS11's own provider passes the same flag.
            CK_C_INITIALIZE_ARGS args = new CK_C_INITIALIZE_ARGS();
            args.flags = Pkcs11.CKF_OS_LOCKING_OK;
            return new SunCryptoki(PKCS11.getInstance(library.toString(), "C_GetFunctionList", args, false));
        } catch (IOException e) {
            throw new TokenException(
                    TokenException.Code.LIBRARY_UNUSABLE,
                    "cannot load PKCS#11 library " + library + ": " + e.getMessage(),
                    e);
        } catch (PKCS11Exception e) {
            throw new TokenException(
                    TokenException.Code.LIBRARY_UNUSABLE,
                    "cannot initialise PKCS#11 library " + library + ": " + Pkcs11.name(e.getErrorCode()),
                    e);
        }
    }

    private static CryptokiException fail(PKCS11Exception e, String function) {
        return new CryptokiException(e.getErrorCode(), function);
    }

    @Override
    public long[] slotsWithToken() throws CryptokiException {
        try {
            return p11.C_GetSlotList(true);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_GetSlotList");
        }
    }

    @Override
    public TokenInfo tokenInfo(long slot) throws CryptokiException {
        try {
            CK_TOKEN_INFO info = p11.C_GetTokenInfo(slot);
            return new TokenInfo(new String(info.label).trim(), info.flags, new String(info.serialNumber).trim());
        } catch (PKCS11Exception e) {
            throw fail(e, "C_GetTokenInfo");
        }
    }

    @Override
    public long openSession(long slot) throws CryptokiException {
        try {
            return p11.C_OpenSession(slot, Pkcs11.CKF_SERIAL_SESSION | Pkcs11.CKF_RW_SESSION, null, null);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_OpenSession");
        }
    }

    @Override
    public void closeSession(long session) throws CryptokiException {
        try {
            p11.C_CloseSession(session);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_CloseSession");
        }
    }

    @Override
    public void login(long session, char[] pin) throws CryptokiException {
        try {
            p11.C_Login(session, Pkcs11.CKU_USER, pin);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_Login");
        }
    }

    @Override
    public void logout(long session) throws CryptokiException {
        try {
            p11.C_Logout(session);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_Logout");
        }
    }

    @Override
    public long[] findObjects(long session, CK_ATTRIBUTE[] template) throws CryptokiException {
        try {
            p11.C_FindObjectsInit(session, template);
            try {
                return p11.C_FindObjects(session, 16);
            } finally {
                p11.C_FindObjectsFinal(session);
            }
        } catch (PKCS11Exception e) {
            throw fail(e, "C_FindObjects");
        }
    }

    @Override
    public void getAttributes(long session, long object, CK_ATTRIBUTE[] attributes) throws CryptokiException {
        try {
            p11.C_GetAttributeValue(session, object, attributes);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_GetAttributeValue");
        }
    }

    @Override
    public long[] generateKeyPair(
            long session,
            long mechanism,
            byte[] mechanismParameter,
            CK_ATTRIBUTE[] publicTemplate,
            CK_ATTRIBUTE[] privateTemplate)
            throws CryptokiException {
        try {
            CK_MECHANISM m = mechanismParameter == null
                    ? new CK_MECHANISM(mechanism)
                    : new CK_MECHANISM(mechanism, mechanismParameter);
            return p11.C_GenerateKeyPair(session, m, publicTemplate, privateTemplate);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_GenerateKeyPair");
        }
    }

    @Override
    public long generateKey(long session, long mechanism, CK_ATTRIBUTE[] template) throws CryptokiException {
        try {
            return p11.C_GenerateKey(session, new CK_MECHANISM(mechanism), template);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_GenerateKey");
        }
    }

    @Override
    public void destroyObject(long session, long object) throws CryptokiException {
        try {
            p11.C_DestroyObject(session, object);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_DestroyObject");
        }
    }

    @Override
    public byte[] sign(long session, long mechanism, long key, byte[] data) throws CryptokiException {
        try {
            p11.C_SignInit(session, new CK_MECHANISM(mechanism), key);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_SignInit");
        }
        try {
            return p11.C_Sign(session, data);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_Sign");
        }
    }

    @Override
    public byte[] aesGcm(long session, boolean encrypt, long key, byte[] iv, byte[] aad, byte[] input)
            throws CryptokiException {
        CK_MECHANISM m = new CK_MECHANISM(Pkcs11.CKM_AES_GCM, new CK_GCM_PARAMS(128, iv, aad));
        String function = encrypt ? "C_Encrypt" : "C_Decrypt";
        try {
            // The "WithRetry" forms try both CK_GCM_PARAMS layouts (PKCS#11 v2.40 and its errata).
            if (encrypt) {
                p11.C_GCMEncryptInitWithRetry(session, m, key, true);
                byte[] out = new byte[input.length + 16];
                int n = p11.C_Encrypt(session, 0, input, 0, input.length, 0, out, 0, out.length);
                return n == out.length ? out : Arrays.copyOf(out, n);
            }
            p11.C_GCMDecryptInitWithRetry(session, m, key, true);
            byte[] out = new byte[input.length];
            int n = p11.C_Decrypt(session, 0, input, 0, input.length, 0, out, 0, out.length);
            return Arrays.copyOf(out, n);
        } catch (PKCS11Exception e) {
            throw fail(e, function);
        }
    }

    @Override
    public byte[] wrapKey(long session, long mechanism, long wrappingKey, long key) throws CryptokiException {
        try {
            return p11.C_WrapKey(session, new CK_MECHANISM(mechanism), wrappingKey, key);
        } catch (PKCS11Exception e) {
            throw fail(e, "C_WrapKey");
        }
    }
}
