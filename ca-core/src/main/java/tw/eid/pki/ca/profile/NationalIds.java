package tw.eid.pki.ca.profile;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The shape of a Taiwanese national ID number (國民身分證統一編號): a letter, 1 or 2, eight digits.
 * docs/profiles.md: the full number is never in a certificate; {@link ProfileLint} looks for this
 * shape in the subject and every extension, and {@link SubscriberIds} never generates it.
 */
final class NationalIds {

    /**
     * Case-insensitive and unanchored: the number inside a longer string still discloses it. Text is
     * NFKC-folded first, so full-width forms (Ａ１２３…) are found too.
     */
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z][12][0-9]{8}");

    private NationalIds() {}

    /** Whether {@code text} contains something shaped like a national ID number. */
    static boolean appearsIn(CharSequence text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC);
        return SHAPE.matcher(text).find() || SHAPE.matcher(folded).find();
    }
}
