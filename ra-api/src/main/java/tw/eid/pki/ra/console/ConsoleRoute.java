package tw.eid.pki.ra.console;

import static tw.eid.pki.ca.profile.OperatorRole.ADMIN;
import static tw.eid.pki.ca.profile.OperatorRole.AUDITOR;
import static tw.eid.pki.ca.profile.OperatorRole.OFFICER;
import static tw.eid.pki.ca.profile.OperatorRole.SUPERVISOR;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tw.eid.pki.ca.profile.OperatorRole;

/**
 * Every function of the console, with the one method, the path (under {@code /console}) and the
 * roles that may call it. {@link ConsoleGuard} matches each request here before anything runs: a
 * path that is not in this table is 404, a role not named is 403 (audited). The personalization
 * role is named nowhere: it gets 403 on every page. Path parameters are matched loosely
 * ({@code [^/]{1,64}}) and checked by the page, so that a bad card number gets a message in the
 * page's language rather than a bare 404.
 */
enum ConsoleRoute {
    HOME("GET", "/", OFFICER, SUPERVISOR, AUDITOR, ADMIN),
    STYLE("GET", "/static/console.css", OFFICER, SUPERVISOR, AUDITOR, ADMIN),
    LANGUAGE("GET", "/language", OFFICER, SUPERVISOR, AUDITOR, ADMIN),
    SEARCH("GET", "/search", OFFICER, AUDITOR),
    /** A national ID is personal data: officers only (auditors see none). */
    SEARCH_NATIONAL_ID("GET", "/search/national-id", OFFICER),
    CARD("GET", "/cards/([^/]{1,64})", OFFICER, AUDITOR),
    PEM("GET", "/certificates/([^/]{1,64})\\.pem", OFFICER, AUDITOR),
    CONFIRM("GET", "/certificates/([^/]{1,64})/(suspend|resume|revoke)", OFFICER),
    ACT("POST", "/certificates/([^/]{1,64})/(suspend|resume|revoke)", OFFICER),
    CONFIRM_LOST("GET", "/cards/([^/]{1,64})/report-lost", OFFICER),
    REPORT_LOST("POST", "/cards/([^/]{1,64})/report-lost", OFFICER),
    APPROVALS("GET", "/approvals", SUPERVISOR);

    private final String method;
    private final Pattern path;
    private final Set<OperatorRole> roles;

    ConsoleRoute(String method, String path, OperatorRole... roles) {
        this.method = method;
        this.path = Pattern.compile(path);
        this.roles = roles.length == 0 ? EnumSet.noneOf(OperatorRole.class) : EnumSet.of(roles[0], roles);
    }

    /** A request's route and its path parameters. */
    record Match(ConsoleRoute route, Matcher matcher) {
        String parameter(int group) {
            return matcher.group(group);
        }
    }

    /** The outcome of matching a method and a path. */
    sealed interface Found permits Routed, NoSuchPath, WrongMethod {}

    record Routed(Match match) implements Found {}

    record NoSuchPath() implements Found {}

    record WrongMethod(String allowed) implements Found {}

    static Found find(String method, String path) {
        Optional<String> allowed = Optional.empty();
        for (ConsoleRoute r : values()) {
            Matcher m = r.path.matcher(path);
            if (m.matches()) {
                if (r.method.equals(method)) {
                    return new Routed(new Match(r, m));
                }
                allowed = Optional.of(r.method);
            }
        }
        return allowed.<Found>map(WrongMethod::new).orElseGet(NoSuchPath::new);
    }

    boolean allows(OperatorRole role) {
        return roles.contains(role);
    }

    Set<OperatorRole> roles() {
        return EnumSet.copyOf(roles);
    }
}
