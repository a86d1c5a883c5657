package tw.eid.pki.ca.custody;

import com.codahale.shamir.Scheme;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rebuilds a token's user PIN from k or more custodians' share files, at service start or at a
 * ceremony.
 *
 * <p>Security guarantees: every share file is authenticated under its custodian's passphrase
 * before its header is believed; the joined PIN is checked against the split's verifier before it
 * is returned, so a corrupt or malicious share is reported here and never costs one of the
 * token's PIN attempts; the PIN is returned as a {@code char[]} and every intermediate byte array
 * is cleared.
 */
public final class PinReconstructor {

    /**
     * The PIN of token {@code expectedTokenLabel}, from shares that say (under their seal) that they
     * belong to it. The caller clears the returned array once the
     * token is logged in.
     *
     * @throws CustodyException {@code SHARE_UNREADABLE}, {@code CORRUPT_SHARE},
     *     {@code WRONG_PASSPHRASE}, {@code WRONG_TOKEN}, {@code MIXED_SPLITS}, {@code DUPLICATE_INDEX},
     *     {@code TOO_FEW_SHARES} or {@code PIN_MISMATCH}, each naming the file or custodian
     */
    public char[] reconstruct(String expectedTokenLabel, List<ShareUnlock> unlocks) {
        Objects.requireNonNull(expectedTokenLabel, "expectedTokenLabel");
        Objects.requireNonNull(unlocks, "unlocks");
        if (unlocks.isEmpty()) {
            throw new CustodyException(CustodyException.Code.TOO_FEW_SHARES, "no share files given");
        }
        List<OpenedShare> opened = new ArrayList<>(unlocks.size());
        byte[] pinBytes = null;
        try {
            // Open every file first: until a file's GCM tag has been checked, its header is only a
            // claim, and a tampered k or split id must be reported as tampering, not as a mix-up.
            for (ShareUnlock unlock : unlocks) {
                Objects.requireNonNull(unlock, "unlock");
                ShareFile file = ShareFileStore.read(unlock.file());
                byte[] share = ShareSeal.open(file, unlock.passphrase(), unlock.file());
                opened.add(new OpenedShare(unlock.file(), file.header(), share));
            }
            OpenedShare first = opened.get(0);
            // The label inside the sealed header, not the file name, says whose PIN this is: shares of
            // another token must never reach this token's C_Login (a failed login spends an attempt).
            for (OpenedShare share : opened) {
                if (!share.header().tokenLabel().equals(expectedTokenLabel)) {
                    throw new CustodyException(
                            CustodyException.Code.WRONG_TOKEN,
                            "share file " + share.file() + " (custodian '"
                                    + share.header().custodian()
                                    + "') is a share of token '"
                                    + share.header().tokenLabel() + "', not of '"
                                    + expectedTokenLabel + "'");
                }
            }
            Map<Integer, byte[]> parts = new HashMap<>();
            Map<Integer, OpenedShare> byIndex = new HashMap<>();
            for (OpenedShare share : opened) {
                checkSameSplit(first, share);
                OpenedShare earlier = byIndex.putIfAbsent(share.header().index(), share);
                if (earlier != null) {
                    throw new CustodyException(
                            CustodyException.Code.DUPLICATE_INDEX,
                            "share files " + earlier.file() + " and " + share.file() + " both carry share "
                                    + share.header().index() + " (custodian '"
                                    + share.header().custodian() + "')");
                }
                parts.put(share.header().index(), share.share());
            }
            ShareHeader split = first.header();
            if (parts.size() < split.k()) {
                throw new CustodyException(
                        CustodyException.Code.TOO_FEW_SHARES,
                        "token '" + split.tokenLabel() + "' needs " + split.k() + " of " + split.n() + " shares, got "
                                + parts.size());
            }
            pinBytes = join(split, parts);
            // The PIN verifier is checked here, before anyone calls C_Login: see PinVerifier.
            if (!split.verifier().matches(pinBytes)) {
                throw pinMismatch(split);
            }
            return SecretText.decode(pinBytes);
        } catch (CharacterCodingException e) {
            throw pinMismatch(opened.get(0).header());
        } finally {
            opened.forEach(share -> SecretText.wipe(share.share()));
            SecretText.wipe(pinBytes);
        }
    }

    private static void checkSameSplit(OpenedShare first, OpenedShare other) {
        ShareHeader a = first.header();
        ShareHeader b = other.header();
        if (a.sameSplitAs(b)) {
            return;
        }
        String detail;
        if (!a.tokenLabel().equals(b.tokenLabel())) {
            detail = "are for different tokens ('" + a.tokenLabel() + "' and '" + b.tokenLabel() + "')";
        } else if (!a.splitId().equals(b.splitId())) {
            detail = "come from different splits of token '" + a.tokenLabel() + "' (made " + a.createdAt() + " and "
                    + b.createdAt() + ")";
        } else {
            detail = "name the same split of token '" + a.tokenLabel() + "' but disagree on k, n or the PIN verifier";
        }
        throw new CustodyException(
                CustodyException.Code.MIXED_SPLITS,
                "share files " + first.file() + " and " + other.file() + " " + detail);
    }

    private static byte[] join(ShareHeader split, Map<Integer, byte[]> parts) {
        try {
            // Scheme wants a random source for splitting only; join does not draw from it.
            return new Scheme(new SecureRandom(), split.n(), split.k()).join(parts);
        } catch (IllegalArgumentException e) {
            // Shares of differing lengths: authenticated, so one custodian's share was bad when sealed.
            throw pinMismatch(split);
        }
    }

    private static CustodyException pinMismatch(ShareHeader split) {
        return new CustodyException(
                CustodyException.Code.PIN_MISMATCH,
                "shares do not combine to the PIN of token '" + split.tokenLabel() + "': one of them is corrupt");
    }

    private record OpenedShare(Path file, ShareHeader header, byte[] share) {}
}
