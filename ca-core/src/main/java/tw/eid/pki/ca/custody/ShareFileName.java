package tw.eid.pki.ca.custody;

/**
 * The file name of a share: {@code <token>.share-<index>-of-<n>.<custodian>.json}, e.g.
 * {@code citizen-ca.share-2-of-3.alice.json}, so each custodian can pick out their own file by
 * eye. Only ASCII letters, digits, '-' and '_' are kept from the label and name: a service
 * account with a POSIX locale cannot even name a file with other characters, and the name in the
 * file is what counts. The index alone already makes the name unique within a split.
 */
final class ShareFileName {

    private static final int MAX_PART_LENGTH = 40;

    private ShareFileName() {}

    static String of(String tokenLabel, int index, int n, Custodian custodian) {
        return slug(tokenLabel) + ".share-" + index + "-of-" + n + "." + slug(custodian.name()) + ".json";
    }

    static String slug(String text) {
        StringBuilder slug = new StringBuilder();
        for (char c : text.toCharArray()) {
            boolean kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (kept) {
                slug.append(c);
            } else if (slug.length() == 0 || slug.charAt(slug.length() - 1) != '_') {
                slug.append('_');
            }
            if (slug.length() == MAX_PART_LENGTH) {
                break;
            }
        }
        return slug.toString();
    }
}
