package tw.eid.pki.ra.console;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the console may send a browser (issue 19, checklist 2.5: redirects only to an allow-list):
 * a path of its own, one of the patterns below; anything else (another host, {@code //host},
 * a scheme, a backslash, an encoded character) becomes the console's home page.
 */
final class Redirects {
    static final String HOME = ConsoleServlet.CONTEXT_PATH + "/";

    private static final List<Pattern> ALLOWED = List.of(
            Pattern.compile("/console/"),
            Pattern.compile("/console/search"),
            Pattern.compile("/console/approvals"),
            Pattern.compile("/console/cards/[A-Z0-9]{8,16}"),
            Pattern.compile("/console/cards/[A-Z0-9]{8,16}\\?done=(suspend|resume|revoke|report-lost)"));

    private Redirects() {}

    static String safe(String target) {
        if (target == null) {
            return HOME;
        }
        for (Pattern p : ALLOWED) {
            if (p.matcher(target).matches()) {
                return target;
            }
        }
        return HOME;
    }
}
