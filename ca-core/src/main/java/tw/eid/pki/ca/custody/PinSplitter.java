package tw.eid.pki.ca.custody;

import com.codahale.shamir.Scheme;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Splits a token's user PIN at a key ceremony into n Shamir shares, any k of which rebuild it
 * (docs/architecture.md: tokens are activated only when k of n custodians are present). Each share is
 * written to its own file, encrypted under its custodian's passphrase; see {@link ShareFile} for
 * the format.
 *
 * <p>Security guarantees: fewer than k shares reveal nothing about the PIN (Shamir over GF(256));
 * a share file opens only with its custodian's passphrase, and any change to its header or
 * ciphertext is detected; the PIN never exists as a {@link String}. Share files are created
 * rw------- and never overwrite an existing file.
 */
public final class PinSplitter {

    public static final int MIN_THRESHOLD = 2;
    /** More custodians than this is not a ceremony anyone can convene. */
    public static final int MAX_CUSTODIANS = 16;

    public static final int GENERATED_PIN_LENGTH = 32;
    /** PKCS#11 tokens accept PINs of a few to a few hundred bytes; stay well inside that. */
    static final int MIN_PIN_LENGTH = 4;

    static final int MAX_PIN_LENGTH = 128;

    /**
     * Letters and digits without look-alikes (0/O, 1/l/I): 56 symbols, so 32 of them carry about
     * 186 bits. No punctuation, because some PKCS#11 tools and shells mangle it.
     */
    private static final char[] PIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private static final int SPLIT_ID_BYTES = 16;

    private final SecureRandom random;
    private final Clock clock;
    private final ScryptCost cost;

    public PinSplitter(SecureRandom random, Clock clock) {
        this(random, clock, ScryptCost.RECOMMENDED);
    }

    /** {@code cost} is used for both the passphrase key derivation and the PIN verifier. */
    public PinSplitter(SecureRandom random, Clock clock, ScryptCost cost) {
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cost = Objects.requireNonNull(cost, "cost");
    }

    /** A fresh user PIN of {@value #GENERATED_PIN_LENGTH} characters; the caller clears it. */
    public static char[] generatePin(SecureRandom random) {
        char[] pin = new char[GENERATED_PIN_LENGTH];
        for (int i = 0; i < pin.length; i++) {
            pin[i] = PIN_ALPHABET[random.nextInt(PIN_ALPHABET.length)];
        }
        return pin;
    }

    /**
     * Splits {@code pin} into one share per custodian, threshold {@code k}, and writes each share to
     * its own new file in {@code directory}.
     *
     * <p>Before returning, the written files are read back and joined with the custodians'
     * passphrases, so a split that cannot be reconstructed is found at the ceremony, not at the next
     * service start. If anything fails, the files already written by this call are removed.
     *
     * @return the share files, in the order of {@code custodians}
     * @throws CustodyException {@code INVALID_SPLIT}, {@code SHARE_FILE_EXISTS} or
     *     {@code WRITE_FAILED}
     */
    public List<Path> split(String tokenLabel, char[] pin, List<Custodian> custodians, int k, Path directory) {
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(custodians, "custodians");
        Objects.requireNonNull(directory, "directory");
        checkSplit(tokenLabel, pin, custodians, k);
        if (!Files.isDirectory(directory)) {
            throw new CustodyException(
                    CustodyException.Code.WRITE_FAILED,
                    "share directory " + directory + " does not exist or is not a directory");
        }
        int n = custodians.size();
        List<Path> targets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Path target = directory.resolve(ShareFileName.of(tokenLabel, i + 1, n, custodians.get(i)));
            // Checked up front so that a clash leaves nothing half-written; the write itself refuses
            // to overwrite too, for the case where a file appears in between.
            if (ShareFileStore.exists(target)) {
                throw new CustodyException(
                        CustodyException.Code.SHARE_FILE_EXISTS,
                        "share file " + target + " already exists; it is not overwritten");
            }
            targets.add(target);
        }

        byte[] pinBytes = encodePin(pin);
        Map<Integer, byte[]> shares = new HashMap<>();
        List<Path> written = new ArrayList<>(n);
        boolean complete = false;
        try {
            ShareHeaderTemplate template = new ShareHeaderTemplate(
                    HexFormat.of().formatHex(randomBytes(SPLIT_ID_BYTES)),
                    tokenLabel,
                    k,
                    n,
                    Instant.now(clock).truncatedTo(ChronoUnit.SECONDS),
                    PinVerifier.create(pinBytes, cost, random));
            shares.putAll(new Scheme(random, n, k).split(pinBytes));
            for (int i = 0; i < n; i++) {
                Custodian custodian = custodians.get(i);
                int index = i + 1;
                ShareFile file = ShareSeal.seal(
                        template.forShare(custodian.name(), index),
                        shares.get(index),
                        custodian.passphrase(),
                        cost,
                        random);
                ShareFileStore.writeNew(targets.get(i), file.toJson());
                written.add(targets.get(i));
            }
            checkReadBack(tokenLabel, written, custodians, pin);
            complete = true;
            return List.copyOf(written);
        } finally {
            shares.values().forEach(SecretText::wipe);
            SecretText.wipe(pinBytes);
            if (!complete) {
                removeQuietly(written);
            }
        }
    }

    private static void checkSplit(String tokenLabel, char[] pin, List<Custodian> custodians, int k) {
        ShareHeader.tokenLabelProblem(tokenLabel).ifPresent(problem -> {
            throw new CustodyException(CustodyException.Code.INVALID_SPLIT, problem);
        });
        int n = custodians.size();
        if (n < MIN_THRESHOLD || n > MAX_CUSTODIANS) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "a split needs between " + MIN_THRESHOLD + " and " + MAX_CUSTODIANS + " custodians, got " + n);
        }
        if (k < MIN_THRESHOLD) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "threshold k=" + k + " is below " + MIN_THRESHOLD
                            + ": one custodian alone must not be able to activate the token");
        }
        if (k > n) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "threshold k=" + k + " is more than the " + n + " custodians: the PIN could never be" + " rebuilt");
        }
        Map<String, String> seen = new HashMap<>();
        for (Custodian custodian : custodians) {
            Objects.requireNonNull(custodian, "custodian");
            String earlier = seen.putIfAbsent(custodian.identityKey(), custodian.name());
            if (earlier != null) {
                throw new CustodyException(
                        CustodyException.Code.INVALID_SPLIT,
                        "custodian '" + custodian.name() + "' is listed twice (as '" + earlier + "' too)");
            }
        }
        if (pin.length < MIN_PIN_LENGTH || pin.length > MAX_PIN_LENGTH) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT,
                    "PIN must have between " + MIN_PIN_LENGTH + " and " + MAX_PIN_LENGTH + " characters, got "
                            + pin.length);
        }
    }

    private static byte[] encodePin(char[] pin) {
        try {
            return SecretText.encode(pin);
        } catch (CharacterCodingException e) {
            throw new CustodyException(
                    CustodyException.Code.INVALID_SPLIT, "PIN is not valid Unicode (an unpaired surrogate)");
        }
    }

    private static void checkReadBack(String tokenLabel, List<Path> files, List<Custodian> custodians, char[] pin) {
        List<ShareUnlock> unlocks = new ArrayList<>(files.size());
        for (int i = 0; i < files.size(); i++) {
            unlocks.add(new ShareUnlock(files.get(i), custodians.get(i).passphrase()));
        }
        char[] rebuilt = new PinReconstructor().reconstruct(tokenLabel, unlocks);
        try {
            if (!Arrays.equals(rebuilt, pin)) {
                throw new IllegalStateException("share files written do not rebuild the PIN");
            }
        } finally {
            Arrays.fill(rebuilt, '\0');
        }
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static void removeQuietly(List<Path> files) {
        for (Path file : files) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The split failed; the original error matters more than a leftover share of a PIN
                // that was never set on the token.
            }
        }
    }

    /** The header fields shared by every share of one split. */
    private record ShareHeaderTemplate(
            String splitId, String tokenLabel, int k, int n, Instant createdAt, PinVerifier verifier) {

        ShareHeader forShare(String custodian, int index) {
            return new ShareHeader(splitId, tokenLabel, custodian, index, k, n, createdAt, verifier);
        }
    }
}
