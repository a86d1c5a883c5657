package tw.eid.pki.hsm;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.security.pkcs11.wrapper.CK_ATTRIBUTE;

/**
 * One PKCS#11 token, found by its label and logged in with its user PIN, through a bounded pool
 * of sessions.
 *
 * <p>Security guarantees: keys are generated inside the token with CKA_TOKEN, CKA_PRIVATE,
 * CKA_SENSITIVE and not CKA_EXTRACTABLE, each usable only for what it is for (signing keys sign,
 * AES keys encrypt and decrypt, HMAC keys MAC); no private or secret key value ever reaches the
 * JVM, and callers get {@link ContentSigner}s by label, never a {@code PrivateKey}. A key pair is
 * destroyed in the token by its exact label ({@link #destroyKeyPair}); this object then forgets any
 * handle it kept for that label, so nothing it hands out later reaches a stale handle.
 *
 * <p>Failure handling: a call that fails with a session- or device-level PKCS#11 error (session
 * handle invalid, user not logged in, device error, token not present, …) evicts its session,
 * the token is logged in again and the call is retried once. If that fails too, the call throws
 * {@link TokenException.Code#TOKEN_UNAVAILABLE}, and further calls fail fast for
 * {@link TokenConfig#retryBackoff()} before the token is tried again. Waiting for a session is
 * bounded by {@link TokenConfig#acquireTimeout()}.
 */
public final class Token implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Token.class);

    private static final Map<String, Boolean> OPEN = new ConcurrentHashMap<>();
    private static final int GCM_NONCE_BYTES = 12;
    private static final SecureRandom NONCES = new SecureRandom();

    private final TokenConfig config;
    private final Cryptoki ck;
    private final Clock clock;
    private final char[] pin;

    private final Semaphore permits;
    private final LinkedBlockingDeque<Long> idle = new LinkedBlockingDeque<>();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final Map<String, KeyRef> keys = new ConcurrentHashMap<>();
    /**
     * Bumped by every key-pair destruction: a handle looked up while one ran is not cached (it may
     * be the destroyed key's), see {@link #keyIn}.
     */
    private final AtomicLong destructions = new AtomicLong();
    /** Bumped by every recovery, so that callers failing together recover only once. */
    private final AtomicLong generation = new AtomicLong();

    private volatile long slot;
    private volatile Instant stateSince;
    private volatile Instant downSince;
    private volatile Instant nextAttempt = Instant.MIN;
    private volatile String lastError;
    private volatile boolean closed;
    /** Set once the token is logged in (docs/metrics.md). */
    private TokenMetrics metrics;

    private Token(TokenConfig config, Cryptoki ck, char[] pin, Clock clock) {
        this.config = config;
        this.ck = ck;
        this.clock = clock;
        this.pin = pin.clone();
        this.permits = new Semaphore(config.maxSessions(), true);
        this.stateSince = clock.instant();
    }

    /**
     * Opens the token labelled {@code config.tokenLabel()} and logs in. The PIN is copied and kept
     * in memory only, for logging in again after a failure; the caller may clear its array.
     */
    public static Token open(TokenConfig config, char[] pin, Clock clock) {
        config.requireLibrary();
        return open(config, SunCryptoki.load(config.library()), pin, clock);
    }

    static Token open(TokenConfig config, Cryptoki ck, char[] pin, Clock clock) {
        // PKCS#11 login state belongs to the application, not the session: a second Token on the
        // same token would share (and could log out) the first one's login, and would accept any
        // PIN with CKR_USER_ALREADY_LOGGED_IN. One Token per token per process.
        String key = config.library() + "#" + config.tokenLabel();
        if (OPEN.putIfAbsent(key, Boolean.TRUE) != null) {
            throw new TokenException(
                    TokenException.Code.OPERATION_REFUSED,
                    "token '" + config.tokenLabel() + "' is already open in this process");
        }
        try {
            return login(config, ck, pin, clock);
        } catch (RuntimeException e) {
            OPEN.remove(key);
            throw e;
        }
    }

    private static Token login(TokenConfig config, Cryptoki ck, char[] pin, Clock clock) {
        Token token = new Token(config, ck, pin, clock);
        try {
            token.slot = token.findSlot();
            long s = token.openLoggedIn();
            token.openSessions.incrementAndGet();
            token.idle.offer(s);
            token.metrics = new TokenMetrics(token);
        } catch (CryptokiException e) {
            Arrays.fill(token.pin, '\0');
            if (e.ckr() == Pkcs11.CKR_PIN_INCORRECT || e.ckr() == Pkcs11.CKR_PIN_LOCKED) {
                throw new TokenException(
                        TokenException.Code.PIN_REFUSED,
                        "token '" + config.tokenLabel() + "' refused the PIN (" + Pkcs11.name(e.ckr()) + ")");
            }
            throw new TokenException(
                    TokenException.Code.TOKEN_UNAVAILABLE,
                    "cannot open token '" + config.tokenLabel() + "': " + e.getMessage(),
                    e);
        }
        return token;
    }

    public String label() {
        return config.tokenLabel();
    }

    public TokenConfig config() {
        return config;
    }

    /** The slot the token sits in now; for the SunPKCS11 provider configuration of tests and benchmarks. */
    long slot() {
        return slot;
    }

    private long findSlot() throws CryptokiException {
        List<Long> matches = new ArrayList<>();
        for (long s : ck.slotsWithToken()) {
            Cryptoki.TokenInfo info = ck.tokenInfo(s);
            if (info.label().equals(config.tokenLabel()) && (info.flags() & Pkcs11.CKF_TOKEN_INITIALIZED) != 0) {
                matches.add(s);
            }
        }
        if (matches.isEmpty()) {
            throw new TokenException(
                    TokenException.Code.TOKEN_NOT_FOUND,
                    "no initialised token labelled '" + config.tokenLabel() + "' in " + config.library());
        }
        if (matches.size() > 1) {
            throw new TokenException(
                    TokenException.Code.TOKEN_NOT_FOUND,
                    matches.size() + " tokens are labelled '" + config.tokenLabel() + "': labels must be unique");
        }
        return matches.get(0);
    }

    // ---------------------------------------------------------------- keys

    /** Whether any object (key or otherwise) carries this label. */
    public boolean exists(String label) {
        return withSession(
                "find " + label,
                s -> ck.findObjects(s, new CK_ATTRIBUTE[] {new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())})
                                .length
                        > 0);
    }

    /**
     * Generates a signing key pair inside the token. Refuses a label that already exists: nothing
     * is overwritten.
     */
    public KeyInfo generateKeyPair(String label, KeyAlgorithm algorithm) {
        requireLabel(label);
        if (exists(label)) {
            throw new TokenException(
                    TokenException.Code.LABEL_EXISTS,
                    "token '" + label() + "' already holds an object labelled '" + label + "'");
        }
        char[] l = label.toCharArray();
        byte[] id = label.getBytes(StandardCharsets.UTF_8);
        List<CK_ATTRIBUTE> pub = new ArrayList<>(List.of(
                new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PUBLIC_KEY),
                new CK_ATTRIBUTE(Pkcs11.CKA_TOKEN, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_PRIVATE, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, l),
                new CK_ATTRIBUTE(Pkcs11.CKA_ID, id),
                new CK_ATTRIBUTE(Pkcs11.CKA_VERIFY, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_ENCRYPT, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_WRAP, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_VERIFY_RECOVER, false)));
        // The private half: sensitive, never extractable, and only for signing (SunPKCS11's default
        // template would also let it decrypt and unwrap, and leave it non-sensitive on SoftHSM2).
        List<CK_ATTRIBUTE> priv = new ArrayList<>(List.of(
                new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                new CK_ATTRIBUTE(Pkcs11.CKA_TOKEN, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_PRIVATE, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_SENSITIVE, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_EXTRACTABLE, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, l),
                new CK_ATTRIBUTE(Pkcs11.CKA_ID, id),
                new CK_ATTRIBUTE(Pkcs11.CKA_SIGN, true),
                new CK_ATTRIBUTE(Pkcs11.CKA_SIGN_RECOVER, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_DECRYPT, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_UNWRAP, false),
                new CK_ATTRIBUTE(Pkcs11.CKA_DERIVE, false)));
        long mechanism;
        if (algorithm.isEc()) {
            mechanism = Pkcs11.CKM_EC_KEY_PAIR_GEN;
            pub.add(new CK_ATTRIBUTE(Pkcs11.CKA_EC_PARAMS, der(algorithm.curve())));
        } else {
            mechanism = Pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN;
            pub.add(new CK_ATTRIBUTE(Pkcs11.CKA_MODULUS_BITS, (long) algorithm.modulusBits()));
            pub.add(new CK_ATTRIBUTE(Pkcs11.CKA_PUBLIC_EXPONENT, BigInteger.valueOf(65537)));
        }
        withSession(
                "generate " + label,
                s -> ck.generateKeyPair(
                        s, mechanism, null, pub.toArray(new CK_ATTRIBUTE[0]), priv.toArray(new CK_ATTRIBUTE[0])));
        log.info("generated {} key pair '{}' in token '{}'", algorithm.id(), label, label());
        return keyInfo(label)
                .orElseThrow(() -> new TokenException(
                        TokenException.Code.KEY_NOT_FOUND, "key '" + label + "' not found right after generation"));
    }

    /** Generates a data-protection secret key inside the token; refuses an existing label. */
    public void generateSecretKey(String label, SecretKeyType type) {
        requireLabel(label);
        if (exists(label)) {
            throw new TokenException(
                    TokenException.Code.LABEL_EXISTS,
                    "token '" + label() + "' already holds an object labelled '" + label + "'");
        }
        boolean aes = type == SecretKeyType.AES_256;
        CK_ATTRIBUTE[] template = {
            new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_SECRET_KEY),
            new CK_ATTRIBUTE(Pkcs11.CKA_KEY_TYPE, aes ? Pkcs11.CKK_AES : Pkcs11.CKK_GENERIC_SECRET),
            new CK_ATTRIBUTE(Pkcs11.CKA_VALUE_LEN, 32L),
            new CK_ATTRIBUTE(Pkcs11.CKA_TOKEN, true),
            new CK_ATTRIBUTE(Pkcs11.CKA_PRIVATE, true),
            new CK_ATTRIBUTE(Pkcs11.CKA_SENSITIVE, true),
            new CK_ATTRIBUTE(Pkcs11.CKA_EXTRACTABLE, false),
            new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray()),
            new CK_ATTRIBUTE(Pkcs11.CKA_ID, label.getBytes(StandardCharsets.UTF_8)),
            new CK_ATTRIBUTE(Pkcs11.CKA_ENCRYPT, aes),
            new CK_ATTRIBUTE(Pkcs11.CKA_DECRYPT, aes),
            new CK_ATTRIBUTE(Pkcs11.CKA_SIGN, !aes),
            new CK_ATTRIBUTE(Pkcs11.CKA_VERIFY, !aes),
            new CK_ATTRIBUTE(Pkcs11.CKA_WRAP, false),
            new CK_ATTRIBUTE(Pkcs11.CKA_UNWRAP, false),
            new CK_ATTRIBUTE(Pkcs11.CKA_DERIVE, false)
        };
        long mechanism = aes ? Pkcs11.CKM_AES_KEY_GEN : Pkcs11.CKM_GENERIC_SECRET_KEY_GEN;
        withSession("generate " + label, s -> ck.generateKey(s, mechanism, template));
        log.info("generated {} secret key '{}' in token '{}'", type.id(), label, label());
    }

    /**
     * Destroys the key pair labelled exactly {@code label}: its private key, its public key and any
     * certificate object with that label, by C_FindObjects and C_DestroyObject, the private key
     * first. Each object found is checked to carry exactly {@code label} before anything is
     * destroyed (a token that matched labels loosely would make this refuse, not destroy more);
     * objects of other labels, and secret keys, are never touched. Afterwards this object keeps no
     * handle for the label: {@link #signer}, {@link #publicKey} and signatures by earlier signers
     * fail with KEY_NOT_FOUND. Signatures with other labels go on meanwhile; a signature with this
     * very label that is already under way may fail (callers destroy only keys nothing signs with).
     *
     * @return how many objects were destroyed
     * @throws TokenException KEY_NOT_FOUND when no private key, public key or certificate carries
     *                        the label (nothing is destroyed)
     */
    public int destroyKeyPair(String label) {
        requireLabel(label);
        keys.remove(label);
        int destroyed;
        try {
            destroyed = withSession("destroy " + label, s -> destroyIn(s, label));
        } finally {
            // After the objects are gone (or some of them, if this failed part-way): a look-up that
            // raced with the destruction sees the new count and does not cache what it found (see
            // keyIn), and whatever was cached meanwhile goes here.
            destructions.incrementAndGet();
            keys.remove(label);
        }
        log.warn("destroyed key pair '{}' in token '{}' ({} objects)", label, label(), destroyed);
        return destroyed;
    }

    /**
     * As {@link #destroyKeyPair}, but 0 when the token holds no object with that label: how a
     * retirement finishes a destruction that an earlier run did before it could record it.
     */
    public int destroyKeyPairIfPresent(String label) {
        try {
            return destroyKeyPair(label);
        } catch (TokenException e) {
            if (e.code() != TokenException.Code.KEY_NOT_FOUND) {
                throw e;
            }
            return 0;
        }
    }

    private int destroyIn(long s, String label) throws CryptokiException {
        List<Long> objects = new ArrayList<>();
        for (long objectClass : new long[] {Pkcs11.CKO_PRIVATE_KEY, Pkcs11.CKO_PUBLIC_KEY, Pkcs11.CKO_CERTIFICATE}) {
            for (long object : ck.findObjects(s, new CK_ATTRIBUTE[] {
                new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, objectClass), new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
            })) {
                requireExactLabel(s, object, label);
                objects.add(object);
            }
        }
        if (objects.isEmpty()) {
            throw new TokenException(
                    TokenException.Code.KEY_NOT_FOUND,
                    "no key pair labelled '" + label + "' in token '" + label() + "': nothing destroyed");
        }
        for (long object : objects) {
            ck.destroyObject(s, object);
        }
        return objects.size();
    }

    private void requireExactLabel(long s, long object, String label) throws CryptokiException {
        CK_ATTRIBUTE[] found = {new CK_ATTRIBUTE(Pkcs11.CKA_LABEL)};
        ck.getAttributes(s, object, found);
        char[] actual = found[0].getCharArray();
        if (actual == null || !label.equals(new String(actual))) {
            throw new TokenException(
                    TokenException.Code.OPERATION_REFUSED,
                    "token '" + label() + "' answered a search for '"
                            + label + "' with an object labelled '" + (actual == null ? "" : new String(actual))
                            + "': nothing destroyed");
        }
    }

    /** The asymmetric key labelled {@code label}, if the token holds one. */
    public Optional<KeyInfo> keyInfo(String label) {
        return withSession("describe " + label, s -> {
            long[] privs = ck.findObjects(s, new CK_ATTRIBUTE[] {
                new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
                new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
            });
            if (privs.length == 0) {
                return Optional.<KeyInfo>empty();
            }
            KeyRef ref = describe(s, label, privs);
            CK_ATTRIBUTE[] flags = {
                new CK_ATTRIBUTE(Pkcs11.CKA_SENSITIVE),
                new CK_ATTRIBUTE(Pkcs11.CKA_EXTRACTABLE),
                new CK_ATTRIBUTE(Pkcs11.CKA_NEVER_EXTRACTABLE)
            };
            ck.getAttributes(s, ref.handle(), flags);
            return Optional.of(new KeyInfo(
                    label,
                    ref.algorithm(),
                    ref.publicKey(),
                    flags[0].getBoolean(),
                    flags[1].getBoolean(),
                    flags[2].getBoolean()));
        });
    }

    /** Whether a secret key with this label exists. */
    public boolean hasSecretKey(String label) {
        return withSession(
                "find " + label,
                s -> ck.findObjects(s, new CK_ATTRIBUTE[] {
                                    new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_SECRET_KEY),
                                    new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
                                })
                                .length
                        == 1);
    }

    private KeyRef key(String label) {
        KeyRef ref = keys.get(label);
        return ref != null ? ref : withSession("find " + label, s -> keyIn(s, label));
    }

    /** The key labelled {@code label}, looked up through the caller's session when not cached. */
    private KeyRef keyIn(long s, String label) throws CryptokiException {
        KeyRef ref = keys.get(label);
        if (ref != null) {
            return ref;
        }
        long destructionsBefore = destructions.get();
        long[] privs = ck.findObjects(s, new CK_ATTRIBUTE[] {
            new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PRIVATE_KEY),
            new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
        });
        if (privs.length == 0) {
            throw new TokenException(
                    TokenException.Code.KEY_NOT_FOUND,
                    "no private key labelled '" + label + "' in token '" + label() + "'");
        }
        ref = describe(s, label, privs);
        keys.put(label, ref);
        if (destructions.get() != destructionsBefore) {
            // A destruction finished while we looked: the handle may be the destroyed key's (and a
            // token may hand its number to a new object), so it is used this once, never cached.
            keys.remove(label, ref);
        }
        return ref;
    }

    private long secretKeyIn(long s, String label) throws CryptokiException {
        KeyRef ref = keys.get("secret:" + label);
        if (ref != null) {
            return ref.handle();
        }
        long[] found = ck.findObjects(s, new CK_ATTRIBUTE[] {
            new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_SECRET_KEY),
            new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
        });
        if (found.length != 1) {
            throw new TokenException(
                    TokenException.Code.KEY_NOT_FOUND,
                    (found.length == 0 ? "no" : "more than one") + " secret key labelled '" + label + "' in token '"
                            + label() + "'");
        }
        keys.put("secret:" + label, new KeyRef(found[0], null, null));
        return found[0];
    }

    private KeyRef describe(long s, String label, long[] privs) throws CryptokiException {
        if (privs.length > 1) {
            throw new TokenException(
                    TokenException.Code.OPERATION_REFUSED,
                    privs.length + " private keys are labelled '" + label + "' in token '" + label() + "'");
        }
        long[] pubs = ck.findObjects(s, new CK_ATTRIBUTE[] {
            new CK_ATTRIBUTE(Pkcs11.CKA_CLASS, Pkcs11.CKO_PUBLIC_KEY),
            new CK_ATTRIBUTE(Pkcs11.CKA_LABEL, label.toCharArray())
        });
        if (pubs.length != 1) {
            throw new TokenException(
                    TokenException.Code.KEY_NOT_FOUND,
                    "key '" + label + "' in token '" + label() + "' has " + pubs.length + " public halves");
        }
        CK_ATTRIBUTE[] type = {new CK_ATTRIBUTE(Pkcs11.CKA_KEY_TYPE)};
        ck.getAttributes(s, pubs[0], type);
        try {
            if (type[0].getLong() == Pkcs11.CKK_EC) {
                CK_ATTRIBUTE[] ec = {new CK_ATTRIBUTE(Pkcs11.CKA_EC_PARAMS), new CK_ATTRIBUTE(Pkcs11.CKA_EC_POINT)};
                ck.getAttributes(s, pubs[0], ec);
                ASN1ObjectIdentifier curve = ASN1ObjectIdentifier.getInstance(ec[0].getByteArray());
                KeyAlgorithm alg = ecAlgorithm(curve);
                // CKA_EC_POINT is the DER encoding of an OCTET STRING holding the point (PKCS#11 v2.40 §2.3.3).
                byte[] point = ASN1OctetString.getInstance(ec[1].getByteArray()).getOctets();
                SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), point);
                return new KeyRef(privs[0], alg, spki);
            }
            if (type[0].getLong() == Pkcs11.CKK_RSA) {
                CK_ATTRIBUTE[] rsa = {new CK_ATTRIBUTE(Pkcs11.CKA_MODULUS), new CK_ATTRIBUTE(Pkcs11.CKA_PUBLIC_EXPONENT)
                };
                ck.getAttributes(s, pubs[0], rsa);
                BigInteger n = new BigInteger(1, rsa[0].getByteArray());
                BigInteger e = new BigInteger(1, rsa[1].getByteArray());
                KeyAlgorithm alg = switch (n.bitLength()) {
                    case 2048 -> KeyAlgorithm.RSA_2048;
                    case 3072 -> KeyAlgorithm.RSA_3072;
                    case 4096 -> KeyAlgorithm.RSA_4096;
                    default ->
                        throw new TokenException(
                                TokenException.Code.OPERATION_REFUSED,
                                "key '" + label + "' is RSA-" + n.bitLength() + ", which this layer does not use");
                };
                SubjectPublicKeyInfo spki = new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        new RSAPublicKey(n, e));
                return new KeyRef(privs[0], alg, spki);
            }
        } catch (IOException e) {
            throw new TokenException(
                    TokenException.Code.OPERATION_REFUSED, "cannot encode the public key of '" + label + "'", e);
        }
        throw new TokenException(
                TokenException.Code.OPERATION_REFUSED,
                "key '" + label + "' has key type " + type[0].getLong() + ", which this layer does not use");
    }

    private static KeyAlgorithm ecAlgorithm(ASN1ObjectIdentifier curve) {
        for (KeyAlgorithm a : KeyAlgorithm.values()) {
            if (curve.equals(a.curve())) {
                return a;
            }
        }
        throw new TokenException(TokenException.Code.OPERATION_REFUSED, "EC key on unsupported curve " + curve);
    }

    // ---------------------------------------------------------------- operations

    /** A signer for the key labelled {@code label}, with the key's default digest (see {@link KeyAlgorithm}). */
    public ContentSigner signer(String label) {
        KeyRef ref = key(label);
        return new TokenSigner(this, label, ref.algorithm(), ref.algorithm().defaultDigest());
    }

    /** A signer for the key labelled {@code label} with an explicit digest (SHA-256, -384 or -512). */
    public ContentSigner signer(String label, ASN1ObjectIdentifier digest) {
        KeyRef ref = key(label);
        return new TokenSigner(this, label, ref.algorithm(), digest);
    }

    /** The public key of the key pair labelled {@code label}. */
    public SubjectPublicKeyInfo publicKey(String label) {
        return key(label).publicKey();
    }

    /** HMAC-SHA-256 with the token's secret key {@code label}. */
    public byte[] hmacSha256(String label, byte[] data) {
        return withSession("hmac " + label, s -> ck.sign(s, Pkcs11.CKM_SHA256_HMAC, secretKeyIn(s, label), data));
    }

    /**
     * AES-256-GCM encryption with the token's secret key {@code label}: returns nonce (12 bytes) ||
     * ciphertext || tag (16 bytes). The nonce is random (96 bits, NIST SP 800-38D §8.2.2), so one
     * key must not seal more than 2^32 values: rotate data keys well before (a new label).
     */
    public byte[] encrypt(String label, byte[] plaintext, byte[] associatedData) {
        byte[] iv = new byte[GCM_NONCE_BYTES];
        NONCES.nextBytes(iv);
        byte[] sealed = withSession(
                "encrypt " + label, s -> ck.aesGcm(s, true, secretKeyIn(s, label), iv, associatedData, plaintext));
        byte[] out = new byte[iv.length + sealed.length];
        System.arraycopy(iv, 0, out, 0, iv.length);
        System.arraycopy(sealed, 0, out, iv.length, sealed.length);
        return out;
    }

    /**
     * Opens what {@link #encrypt} sealed. A wrong key, wrong associated data or altered bytes fail
     * with OPERATION_REFUSED (the tag does not verify); nothing is returned.
     */
    public byte[] decrypt(String label, byte[] sealed, byte[] associatedData) {
        if (sealed.length < GCM_NONCE_BYTES + 16) {
            throw new TokenException(TokenException.Code.OPERATION_REFUSED, "sealed value too short");
        }
        byte[] iv = Arrays.copyOfRange(sealed, 0, GCM_NONCE_BYTES);
        byte[] body = Arrays.copyOfRange(sealed, GCM_NONCE_BYTES, sealed.length);
        return withSession(
                "decrypt " + label, s -> ck.aesGcm(s, false, secretKeyIn(s, label), iv, associatedData, body));
    }

    /** The raw private-key operation: CKM_ECDSA over a digest, or CKM_RSA_PKCS over a DigestInfo. */
    byte[] signRaw(String label, byte[] input) {
        long started = System.nanoTime();
        try {
            return withSession("sign " + label, s -> {
                KeyRef ref = keyIn(s, label);
                long mechanism = ref.algorithm().isEc() ? Pkcs11.CKM_ECDSA : Pkcs11.CKM_RSA_PKCS;
                return ck.sign(s, mechanism, ref.handle(), input);
            });
        } finally {
            metrics.signatures().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** Sessions of the pool lent out now (open minus idle). */
    int sessionsInUse() {
        return Math.max(0, openSessions.get() - idle.size());
    }

    /** Asks the token for the private value of a key; a sensitive key must be refused. For tests. */
    byte[] tryReadPrivateValue(String keyLabel) {
        return withSession("read " + keyLabel, s -> {
            KeyRef ref = keyIn(s, keyLabel);
            CK_ATTRIBUTE[] value = {
                new CK_ATTRIBUTE(ref.algorithm().isEc() ? Pkcs11.CKA_VALUE : 0x123L /* CKA_PRIVATE_EXPONENT */)
            };
            ck.getAttributes(s, ref.handle(), value);
            return value[0].getByteArray();
        });
    }

    // ---------------------------------------------------------------- health

    public TokenHealth health() {
        Instant down = downSince;
        boolean restart =
                down != null && Duration.between(down, clock.instant()).compareTo(config.restartAfter()) > 0;
        return new TokenHealth(
                label(), down == null, stateSince, lastError, restart, openSessions.get(), config.maxSessions());
    }

    /** A cheap liveness probe through a pooled session (C_GetTokenInfo and a session check). */
    public TokenHealth probe() {
        try {
            withSession("probe", s -> ck.tokenInfo(slot));
        } catch (TokenException e) {
            // health() below reports it
        }
        return health();
    }

    // ---------------------------------------------------------------- sessions

    @FunctionalInterface
    interface SessionCall<T> {
        T apply(long session) throws CryptokiException;
    }

    /**
     * Runs {@code call} on a pooled session: evicts the session on a session- or device-level
     * failure, logs in again and retries once; beyond that fails with TOKEN_UNAVAILABLE.
     */
    <T> T withSession(String what, SessionCall<T> call) {
        for (int attempt = 0; ; attempt++) {
            long gen = generation.get();
            long s = acquire(what);
            T result;
            try {
                result = call.apply(s);
            } catch (CryptokiException e) {
                metrics.failed(e.ckr());
                if (!Pkcs11.isSessionOrDeviceFailure(e.ckr())) {
                    release(s);
                    throw new TokenException(
                            TokenException.Code.OPERATION_REFUSED,
                            what + " on token '" + label() + "': " + e.getMessage(),
                            e);
                }
                evict(s);
                log.warn("{} on token '{}' failed: {}; evicting the session", what, label(), e.getMessage());
                if (attempt == 0 && recover(gen, e)) {
                    continue;
                }
                if (attempt > 0 && recover(generation.get(), e)) {
                    // The token logs in and answers, yet this call failed twice: the request is at
                    // fault (SoftHSM2 answers a GCM tag mismatch with CKR_GENERAL_ERROR), not the
                    // token. Failing only this call keeps one bad input from taking the token down.
                    throw new TokenException(
                            TokenException.Code.OPERATION_REFUSED,
                            what + " on token '" + label() + "' failed twice while the token answers: "
                                    + e.getMessage(),
                            e);
                }
                markDown(what + ": " + e.getMessage());
                throw new TokenException(
                        TokenException.Code.TOKEN_UNAVAILABLE,
                        "token '" + label() + "' unavailable: " + e.getMessage(),
                        e);
            } catch (RuntimeException | Error e) {
                release(s);
                throw e;
            }
            release(s);
            markUp();
            return result;
        }
    }

    private long acquire(String what) {
        if (closed) {
            throw new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "token '" + label() + "' is closed");
        }
        Instant now = clock.instant();
        if (downSince != null && now.isBefore(nextAttempt)) {
            // Fail fast: the token failed recently; do not queue callers behind it.
            throw new TokenException(
                    TokenException.Code.TOKEN_UNAVAILABLE,
                    "token '" + label() + "' unavailable since " + downSince + ": " + lastError);
        }
        long deadline = System.nanoTime() + config.acquireTimeout().toNanos();
        try {
            if (!permits.tryAcquire(config.acquireTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TokenException(
                        TokenException.Code.TOKEN_UNAVAILABLE,
                        "no free session on token '" + label() + "' within " + config.acquireTimeout() + " for "
                                + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "interrupted waiting for a session", e);
        }
        try {
            Long s = idle.pollFirst();
            while (s == null) {
                if (openSessions.incrementAndGet() <= config.maxSessions()) {
                    try {
                        return openLoggedIn();
                    } catch (CryptokiException e) {
                        openSessions.decrementAndGet();
                        metrics.failed(e.ckr());
                        if (!recover(generation.get(), e)) {
                            markDown("C_OpenSession: " + e.getMessage());
                            throw new TokenException(
                                    TokenException.Code.TOKEN_UNAVAILABLE,
                                    "cannot open a session on token '" + label() + "': " + e.getMessage(),
                                    e);
                        }
                        s = idle.pollFirst();
                        continue;
                    }
                }
                openSessions.decrementAndGet();
                // Every session is open; one is on its way back to the idle list.
                long left = deadline - System.nanoTime();
                s = left <= 0 ? null : idle.pollFirst(left, TimeUnit.NANOSECONDS);
                if (s == null && left <= 0) {
                    throw new TokenException(
                            TokenException.Code.TOKEN_UNAVAILABLE,
                            "no free session on token '" + label() + "' within " + config.acquireTimeout());
                }
            }
            return s;
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        } catch (InterruptedException e) {
            permits.release();
            Thread.currentThread().interrupt();
            throw new TokenException(TokenException.Code.TOKEN_UNAVAILABLE, "interrupted waiting for a session", e);
        }
    }

    /**
     * Opens a session and logs in. Login state belongs to the application and ends when its last
     * session closes, so a session opened after every other one was evicted must log in again;
     * CKR_USER_ALREADY_LOGGED_IN is the normal answer otherwise.
     */
    private long openLoggedIn() throws CryptokiException {
        long s = ck.openSession(slot);
        try {
            ck.login(s, pin);
        } catch (CryptokiException e) {
            if (e.ckr() != Pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
                try {
                    ck.closeSession(s);
                } catch (CryptokiException ignored) {
                    // the login failure is what matters
                }
                throw e;
            }
        }
        return s;
    }

    private void release(long s) {
        if (closed) {
            // The token was closed while this call ran: the session goes, it is not pooled again.
            closeQuietly(s);
            permits.release();
            return;
        }
        idle.offerFirst(s);
        permits.release();
        if (closed && idle.remove(s)) {
            closeQuietly(s); // close() drained the pool between our check and our offer
        }
    }

    private void evict(long s) {
        closeQuietly(s);
        permits.release();
    }

    private void closeQuietly(long s) {
        try {
            ck.closeSession(s);
        } catch (CryptokiException e) {
            log.debug("closing session on token '{}': {}", label(), e.getMessage());
        }
        openSessions.decrementAndGet();
    }

    /**
     * Rebuilds the token's state after a session- or device-level failure: closes idle sessions,
     * finds the token by label again (its slot may have changed), opens a session and logs in.
     * Returns whether the token answers again. Callers that failed together recover once.
     */
    private synchronized boolean recover(long failedGeneration, CryptokiException cause) {
        if (generation.get() != failedGeneration) {
            return true; // another caller recovered after our call started
        }
        if (closed) {
            return false;
        }
        keys.clear();
        for (Long s = idle.pollFirst(); s != null; s = idle.pollFirst()) {
            closeQuietly(s);
        }
        try {
            slot = findSlot();
            long s = openLoggedIn();
            openSessions.incrementAndGet();
            idle.offerFirst(s);
            generation.incrementAndGet();
            metrics.recovered();
            log.warn("token '{}' recovered after {}", label(), cause.getMessage());
            return true;
        } catch (CryptokiException | TokenException e) {
            log.error("token '{}' did not recover: {}", label(), e.getMessage());
            lastError = e.getMessage();
            return false;
        }
    }

    private void markDown(String error) {
        Instant now = clock.instant();
        synchronized (this) {
            if (downSince == null) {
                downSince = now;
                stateSince = now;
            }
            lastError = error;
            nextAttempt = now.plus(config.retryBackoff());
        }
    }

    private void markUp() {
        if (downSince != null) {
            synchronized (this) {
                if (downSince != null) {
                    log.info("token '{}' is up again (down since {})", label(), downSince);
                    downSince = null;
                    lastError = null;
                    stateSince = clock.instant();
                }
            }
        }
    }

    /** Logs out and closes every pooled session; clears the PIN from memory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (metrics != null) {
            metrics.close();
        }
        OPEN.remove(config.library() + "#" + config.tokenLabel());
        Long s = idle.pollFirst();
        boolean loggedOut = false;
        while (s != null) {
            if (!loggedOut) {
                try {
                    ck.logout(s);
                } catch (CryptokiException e) {
                    log.debug("logout of token '{}': {}", label(), e.getMessage());
                }
                loggedOut = true;
            }
            closeQuietly(s);
            s = idle.pollFirst();
        }
        Arrays.fill(pin, '\0');
    }

    private static void requireLabel(String label) {
        if (label == null || label.isBlank() || label.length() > 64 || !label.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(
                    "key label must be 1–64 characters of A-Z a-z 0-9 . _ -: '" + label + "'");
        }
    }

    private static byte[] der(ASN1Primitive p) {
        try {
            return p.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record KeyRef(long handle, KeyAlgorithm algorithm, SubjectPublicKeyInfo publicKey) {}
}
