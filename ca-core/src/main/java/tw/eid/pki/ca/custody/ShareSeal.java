package tw.eid.pki.ca.custody;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts a share under its custodian's passphrase and opens it again.
 *
 * <p>scrypt turns the passphrase into 64 bytes: the first 32 are the AES-256-GCM key, the hash of
 * the last 32 is stored as a passphrase check. The check lets us tell a mistyped passphrase (check
 * fails) from a damaged file (check passes, GCM tag fails), so the person at the ceremony is told
 * the right thing. It gives an attacker nothing the GCM tag would not: each guess still costs a
 * full scrypt derivation.
 *
 * <p>This is software-side data, not a CA key, so the default JCE provider is used.
 */
final class ShareSeal {

    static final int KEY_BYTES = 32;
    static final int SALT_BYTES = 16;
    static final int CHECK_BYTES = 32;
    /** NIST SP 800-38D §8.2: a 96-bit random nonce; one key per file, so one nonce per key. */
    static final int NONCE_BYTES = 12;

    static final int TAG_BYTES = 16;

    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final byte[] CHECK_LABEL =
            "eidpki-pin-share passphrase check v1".getBytes(StandardCharsets.US_ASCII);

    private ShareSeal() {}

    static ShareFile seal(ShareHeader header, byte[] share, char[] passphrase, ScryptCost cost, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] derived = derive(
                passphrase,
                salt,
                cost,
                () -> new CustodyException(
                        CustodyException.Code.INVALID_SPLIT,
                        "passphrase of custodian '" + header.custodian() + "' is not valid Unicode"));
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, derived, nonce);
            cipher.updateAAD(header.associatedData());
            byte[] ciphertext = cipher.doFinal(share);
            return new ShareFile(header, cost, salt, passphraseCheck(derived), nonce, ciphertext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        } finally {
            SecretText.wipe(derived);
        }
    }

    /**
     * The plaintext share of {@code file}, which the caller clears.
     *
     * @throws CustodyException {@code WRONG_PASSPHRASE} naming the custodian, or
     *     {@code CORRUPT_SHARE} naming {@code source} if the header or ciphertext was altered
     */
    static byte[] open(ShareFile file, char[] passphrase, Path source) {
        String custodian = file.header().custodian();
        Supplier<CustodyException> wrongPassphrase = () -> new CustodyException(
                CustodyException.Code.WRONG_PASSPHRASE,
                "wrong passphrase for custodian '" + custodian + "' (share file " + source + ")");
        byte[] derived = derive(passphrase, file.kdfSalt(), file.kdfCost(), wrongPassphrase);
        byte[] check = passphraseCheck(derived);
        boolean passphraseMatches = MessageDigest.isEqual(check, file.passphraseCheck());
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, derived, file.nonce());
            cipher.updateAAD(file.header().associatedData());
            byte[] share = cipher.doFinal(file.ciphertext());
            if (!passphraseMatches) {
                // The key opened the share, so the passphrase was right and the check field is what
                // was damaged: the file is corrupt, and retyping the passphrase would not help.
                SecretText.wipe(share);
                throw corrupt(source, custodian, "its passphrase check was altered", null);
            }
            return share;
        } catch (AEADBadTagException e) {
            // With a failed check this is a wrong passphrase (or a damaged salt, which no one can tell
            // apart from one); with a good check, the key is right and the header or ciphertext is not.
            if (!passphraseMatches) {
                throw wrongPassphrase.get();
            }
            throw corrupt(source, custodian, "its header or ciphertext was altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available", e);
        } finally {
            SecretText.wipe(derived);
            SecretText.wipe(check);
        }
    }

    private static byte[] derive(
            char[] passphrase, byte[] salt, ScryptCost cost, Supplier<CustodyException> unencodable) {
        byte[] secret;
        try {
            secret = SecretText.encode(passphrase);
        } catch (CharacterCodingException e) {
            throw unencodable.get();
        }
        try {
            return cost.derive(secret, salt, KEY_BYTES + CHECK_BYTES);
        } finally {
            SecretText.wipe(secret);
        }
    }

    private static CustodyException corrupt(Path source, String custodian, String why, Throwable cause) {
        return new CustodyException(
                CustodyException.Code.CORRUPT_SHARE,
                "share file " + source + " of custodian '" + custodian + "' fails its integrity check: " + why,
                cause);
    }

    private static Cipher cipher(int mode, byte[] derived, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, new SecretKeySpec(derived, 0, KEY_BYTES, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
        return cipher;
    }

    private static byte[] passphraseCheck(byte[] derived) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(CHECK_LABEL);
            sha256.update(derived, KEY_BYTES, CHECK_BYTES);
            return sha256.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
