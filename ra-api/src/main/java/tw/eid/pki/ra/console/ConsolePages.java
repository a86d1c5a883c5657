package tw.eid.pki.ra.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import tw.eid.pki.ca.profile.OperatorRole;

/**
 * Renders the console's jte templates ({@code ra-api/src/main/jte}, precompiled by the build into
 * {@code gg.jte.generated.precompiled}) in the HTML content type: every {@code ${...}} is escaped
 * for where it stands (text, attribute), so a value from the store or the request cannot become
 * markup (checklist 2.4).
 */
final class ConsolePages {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    void render(HttpServletResponse response, int status, String template, Object model) throws IOException {
        StringOutput out = new StringOutput();
        engine.render(template, model, out);
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/html;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** A page that only says no (before anyone is signed in, or before a page runs). */
    void refusal(HttpServletResponse response, int status, String language, String messageKey) throws IOException {
        Messages m = Messages.of(language);
        render(
                response,
                status,
                "message.jte",
                new ConsoleViews.Message(frame(m, "title.refused", null, null, Redirects.HOME), status, messageKey));
    }

    static ConsoleViews.Frame frame(Messages m, String titleKey, String operatorId, String roleId, String back) {
        String to = URLEncoder.encode(m.otherLanguage(), StandardCharsets.UTF_8);
        String backParam = URLEncoder.encode(Redirects.safe(back), StandardCharsets.UTF_8);
        return new ConsoleViews.Frame(
                m,
                titleKey,
                operatorId,
                roleId,
                roleId != null && ConsoleRoute.SEARCH.allows(OperatorRole.fromId(roleId)),
                roleId != null && ConsoleRoute.APPROVALS.allows(OperatorRole.fromId(roleId)),
                ConsoleServlet.CONTEXT_PATH + "/language?to=" + to + "&back=" + backParam);
    }
}
