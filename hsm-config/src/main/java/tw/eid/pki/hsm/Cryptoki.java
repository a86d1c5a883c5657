package tw.eid.pki.hsm;

import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;

/**
 * The few PKCS#11 calls this module makes, as one seam: {@link SunCryptoki} forwards them to the
 * JDK's SunPKCS11 wrapper; tests wrap it to inject failures (CKR_DEVICE_ERROR and friends) into a
 * real token and to count sessions.
 */
interface Cryptoki {

    long[] slotsWithToken() throws CryptokiException;

    /** The token's label (trimmed) and its flags. */
    TokenInfo tokenInfo(long slot) throws CryptokiException;

    long openSession(long slot) throws CryptokiException;

    void closeSession(long session) throws CryptokiException;

    void login(long session, char[] pin) throws CryptokiException;

    void logout(long session) throws CryptokiException;

    long[] findObjects(long session, CK_ATTRIBUTE[] template) throws CryptokiException;

    void getAttributes(long session, long object, CK_ATTRIBUTE[] attributes) throws CryptokiException;

    long[] generateKeyPair(
            long session,
            long mechanism,
            byte[] mechanismParameter,
            CK_ATTRIBUTE[] publicTemplate,
            CK_ATTRIBUTE[] privateTemplate)
            throws CryptokiException;

    long generateKey(long session, long mechanism, CK_ATTRIBUTE[] template) throws CryptokiException;

    void destroyObject(long session, long object) throws CryptokiException;

    /** C_SignInit then C_Sign: one whole signature. */
    byte[] sign(long session, long mechanism, long key, byte[] data) throws CryptokiException;

    /** AES-GCM with a 128-bit tag: C_EncryptInit/C_Encrypt (or the decrypt pair) in one call. */
    byte[] aesGcm(long session, boolean encrypt, long key, byte[] iv, byte[] aad, byte[] input)
            throws CryptokiException;

    byte[] wrapKey(long session, long mechanism, long wrappingKey, long key) throws CryptokiException;

    record TokenInfo(String label, long flags, String serialNumber) {}
}
