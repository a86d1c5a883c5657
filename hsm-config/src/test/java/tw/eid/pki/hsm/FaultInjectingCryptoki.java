package tw.eid.pki.hsm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;

/**
 * A real token with failures provoked underneath the layer: sessions closed or logged out behind
 * its back, or a PKCS#11 error (CKR_DEVICE_ERROR, …) returned by the next calls. Everything else
 * goes to the real SoftHSM2 library.
 */
final class FaultInjectingCryptoki implements Cryptoki {
    private final Cryptoki real;
    private final Set<Long> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicLong failWith = new AtomicLong();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger signCalls = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    FaultInjectingCryptoki(Cryptoki real) {
        this.real = real;
    }

    /** The next {@code times} token calls return {@code ckr} (Integer.MAX_VALUE: until {@link #heal()}). */
    void failNext(long ckr, int times) {
        failWith.set(ckr);
        failuresLeft.set(times);
    }

    void heal() {
        failuresLeft.set(0);
    }

    /** Closes every session the layer has open, behind its back (as an HSM restart would). */
    void closeAllSessionsUnderneath() throws CryptokiException {
        for (Long s : sessions) {
            real.closeSession(s);
            sessions.remove(s);
        }
    }

    /** Logs the application out of the token behind the layer's back (login state is per application). */
    void logoutUnderneath(long slot) throws CryptokiException {
        long s = real.openSession(slot);
        try {
            real.logout(s);
        } finally {
            real.closeSession(s);
        }
    }

    private void maybeFail(String function) throws CryptokiException {
        int left = failuresLeft.get();
        while (left > 0) {
            if (left == Integer.MAX_VALUE || failuresLeft.compareAndSet(left, left - 1)) {
                throw new CryptokiException(failWith.get(), function);
            }
            left = failuresLeft.get();
        }
    }

    @Override
    public long[] slotsWithToken() throws CryptokiException {
        maybeFail("C_GetSlotList");
        return real.slotsWithToken();
    }

    @Override
    public TokenInfo tokenInfo(long slot) throws CryptokiException {
        maybeFail("C_GetTokenInfo");
        return real.tokenInfo(slot);
    }

    @Override
    public long openSession(long slot) throws CryptokiException {
        maybeFail("C_OpenSession");
        long s = real.openSession(slot);
        sessions.add(s);
        opened.incrementAndGet();
        return s;
    }

    @Override
    public void closeSession(long session) throws CryptokiException {
        closed.incrementAndGet();
        sessions.remove(session);
        real.closeSession(session);
    }

    @Override
    public void login(long session, char[] pin) throws CryptokiException {
        maybeFail("C_Login");
        real.login(session, pin);
    }

    @Override
    public void logout(long session) throws CryptokiException {
        real.logout(session);
    }

    @Override
    public long[] findObjects(long session, CK_ATTRIBUTE[] template) throws CryptokiException {
        maybeFail("C_FindObjects");
        return real.findObjects(session, template);
    }

    @Override
    public void getAttributes(long session, long object, CK_ATTRIBUTE[] attributes) throws CryptokiException {
        maybeFail("C_GetAttributeValue");
        real.getAttributes(session, object, attributes);
    }

    @Override
    public long[] generateKeyPair(
            long session, long mechanism, byte[] parameter, CK_ATTRIBUTE[] pub, CK_ATTRIBUTE[] priv)
            throws CryptokiException {
        maybeFail("C_GenerateKeyPair");
        return real.generateKeyPair(session, mechanism, parameter, pub, priv);
    }

    @Override
    public long generateKey(long session, long mechanism, CK_ATTRIBUTE[] template) throws CryptokiException {
        maybeFail("C_GenerateKey");
        return real.generateKey(session, mechanism, template);
    }

    @Override
    public void destroyObject(long session, long object) throws CryptokiException {
        maybeFail("C_DestroyObject");
        real.destroyObject(session, object);
    }

    @Override
    public byte[] sign(long session, long mechanism, long key, byte[] data) throws CryptokiException {
        signCalls.incrementAndGet();
        maybeFail("C_Sign");
        return real.sign(session, mechanism, key, data);
    }

    @Override
    public byte[] aesGcm(long session, boolean encrypt, long key, byte[] iv, byte[] aad, byte[] input)
            throws CryptokiException {
        maybeFail(encrypt ? "C_Encrypt" : "C_Decrypt");
        return real.aesGcm(session, encrypt, key, iv, aad, input);
    }

    @Override
    public byte[] wrapKey(long session, long mechanism, long wrappingKey, long key) throws CryptokiException {
        maybeFail("C_WrapKey");
        return real.wrapKey(session, mechanism, wrappingKey, key);
    }
}
