package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/ resolves: the file or directory is in the repository,
 * and an anchor names a heading of the target (GitHub's rule: lower case, spaces to '-', other
 * punctuation dropped, a repeated heading gets -1, -2, ...) or an explicit {@code <a id>}.
 * Links to http(s) and mailto are not followed; links inside code blocks and code spans are not links.
 */
class DocLinksTest {
    private static final Pattern LINK =
            Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        Path root = RepositoryRoot.find();
        List<Path> files = documents(root);
        assertThat(files).as("README.md and docs/*.md").contains(root.resolve("README.md"));
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : files) {
            for (String target : links(Files.readString(file, StandardCharsets.UTF_8))) {
                if (target.matches("(?i)^(https?|mailto):.*")) {
                    continue;
                }
                checked++;
                String problem = problem(root, file, target);
                if (problem != null) {
                    broken.add(root.relativize(file) + ": (" + target + ") " + problem);
                }
            }
        }
        assertThat(checked).as("links checked").isPositive();
        assertThat(broken).as("broken links in README.md and docs/").isEmpty();
    }

    @Test
    void anchorsFollowGitHubsRule() {
        assertThat(anchors(
                        "# How issuance works (ca-core, `CitizenIssuer`)\n## 2.4 XSS / CSRF\n## Status\n## Status\n"))
                .containsExactly("how-issuance-works-ca-core-citizenissuer", "24-xss--csrf", "status", "status-1");
        assertThat(links("see [a](x.md#b), `[c](no.md)`,\n```\n[d](no.md)\n```\n[e](y.md) [wrapped\nlink](z.md#c)"))
                .containsExactly("x.md#b", "y.md", "z.md#c");
    }

    static List<Path> documents(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        Path docs = root.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> s = Files.walk(docs)) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static String problem(Path root, Path file, String target) throws IOException {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved =
                path.isEmpty() ? file : file.getParent().resolve(decode(path)).normalize();
        if (!resolved.startsWith(root) || resolved.startsWith(root.resolve(".git"))) {
            return "points outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor == null || anchor.isEmpty()) {
            return null;
        }
        if (!resolved.toString().endsWith(".md") || Files.isDirectory(resolved)) {
            return "anchor on a file that is not markdown";
        }
        Set<String> known = anchors(Files.readString(resolved, StandardCharsets.UTF_8));
        return known.contains(anchor) ? null : "no heading or <a id> for #" + anchor;
    }

    private static String decode(String path) {
        return java.net.URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Link targets outside fenced code blocks and code spans. */
    static List<String> links(String markdown) {
        List<String> out = new ArrayList<>();
        // Whole paragraphs at once: a link's text may wrap onto the next line.
        Matcher m = LINK.matcher(String.join("\n", prose(markdown)).replaceAll("`[^`\n]*`", ""));
        while (m.find()) {
            String t = m.group(1);
            out.add(t.startsWith("<") && t.endsWith(">") ? t.substring(1, t.length() - 1) : t);
        }
        return out;
    }

    /** The anchors GitHub makes for a markdown file's headings, and explicit {@code <a id>} ones. */
    static Set<String> anchors(String markdown) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(markdown)) {
            Matcher id = HTML_ID.matcher(line);
            while (id.find()) {
                out.add(id.group(1));
            }
            Matcher h = HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(1));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                out.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return out;
    }

    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        StringBuilder s = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                s.appendCodePoint(c);
            } else if (c == ' ') {
                s.append('-');
            }
        });
        return s.toString();
    }

    /** The lines outside fenced code blocks. */
    private static List<String> prose(String markdown) {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                out.add(line);
            }
        }
        return out;
    }
}
