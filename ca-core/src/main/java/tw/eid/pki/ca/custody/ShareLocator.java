package tw.eid.pki.ca.custody;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Finds a custodian's share file of a token in a shares directory, by the naming {@link PinSplitter} writes. */
public final class ShareLocator {
    private ShareLocator() {}

    /**
     * The one file {@code <label>.share-<i>-of-<n>.<custodian>.json} in {@code directory}.
     *
     * @throws CustodyException SHARE_UNREADABLE if there is none, or more than one
     */
    public static Path find(Path directory, String tokenLabel, String custodian) {
        Pattern name = Pattern.compile(Pattern.quote(ShareFileName.slug(tokenLabel)) + "\\.share-\\d+-of-\\d+\\."
                + Pattern.quote(ShareFileName.slug(custodian)) + "\\.json");
        List<Path> matches = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory)) {
            for (Path p : dir) {
                if (name.matcher(p.getFileName().toString()).matches()) {
                    matches.add(p);
                }
            }
        } catch (IOException e) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_UNREADABLE,
                    "cannot read the shares directory " + directory + ": " + e.getMessage());
        }
        if (matches.size() != 1) {
            throw new CustodyException(
                    CustodyException.Code.SHARE_UNREADABLE,
                    "custodian " + custodian + ": "
                            + (matches.isEmpty() ? "no" : String.valueOf(matches.size())) + " share file of token '"
                            + tokenLabel
                            + "' in " + directory);
        }
        return matches.get(0);
    }
}
