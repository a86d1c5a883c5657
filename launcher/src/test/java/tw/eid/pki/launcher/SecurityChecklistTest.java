package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/security.md's checklist stays true: all 50 items are there, each met, not applicable or
 * open; every met item names at least one test; and every test the page names ({@code
 * `Class#method`}) exists in a module's test tree, as a class file with a method of that name.
 */
class SecurityChecklistTest {
    private static final Pattern ROW = Pattern.compile(
            "^\\|\\s*(\\d+\\.\\d+)\\s*\\|([^|]+)\\|\\s*(met|open|not applicable)\\s*\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|$");
    private static final Pattern TEST_REF = Pattern.compile("`([A-Z][A-Za-z0-9_]*)#([a-z][A-Za-z0-9_]*)`");
    private static final Pattern TOTALS =
            Pattern.compile("Totals: (\\d+) items; (\\d+) met, (\\d+) not applicable \\([^)]*\\), (\\d+) open");
    /** Item numbers other documents and code refer to: they must keep their meaning's place. */
    private static final Set<String> NUMBERS_IN_USE =
            Set.of("1.5", "1.6", "2.4", "2.5", "4.1", "4.2", "4.6", "4.10", "4.11", "5.1", "5.7", "6.1");

    record Item(String number, String requirement, String status, String code, String tests, String notes) {}

    private static String page;
    private static Map<String, Item> items;
    private static Map<String, List<Path>> testSources;

    @BeforeAll
    static void read() throws IOException {
        Path root = RepositoryRoot.find();
        page = Files.readString(root.resolve("docs/security.md"), StandardCharsets.UTF_8);
        items = new LinkedHashMap<>();
        for (String line : page.split("\n")) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                Item item = new Item(
                        m.group(1),
                        m.group(2).strip(),
                        m.group(3),
                        m.group(4).strip(),
                        m.group(5).strip(),
                        m.group(6).strip());
                assertThat(items.put(item.number(), item))
                        .as("item %s appears twice", item.number())
                        .isNull();
            }
        }
        testSources = testSources(root);
    }

    @Test
    void allFiftyItemsAreThereEachWithAStatus() {
        assertThat(items).hasSize(50);
        assertThat(items.keySet()).containsAll(NUMBERS_IN_USE);
        Map<String, Integer> perSection = new HashMap<>();
        for (Item item : items.values()) {
            perSection.merge(item.number().substring(0, item.number().indexOf('.')), 1, Integer::sum);
            assertThat(item.requirement()).as(item.number()).isNotBlank();
            if (item.status().equals("met")) {
                assertThat(item.code())
                        .as("item %s is met: where in the code?", item.number())
                        .isNotBlank();
                assertThat(TEST_REF.matcher(item.tests()).find())
                        .as("item %s is met: which test (`Class#method`)?", item.number())
                        .isTrue();
            } else {
                assertThat(item.notes())
                        .as("item %s is %s: say why", item.number(), item.status())
                        .isNotBlank();
            }
        }
        // Numbers run 1, 2, ... within each section, without gaps.
        for (Map.Entry<String, Integer> section : perSection.entrySet()) {
            for (int i = 1; i <= section.getValue(); i++) {
                assertThat(items).as("section %s", section.getKey()).containsKey(section.getKey() + "." + i);
            }
        }
    }

    @Test
    void theTotalsLineAddsUp() {
        Matcher m = TOTALS.matcher(page.replace('\n', ' '));
        assertThat(m.find()).as("a line 'Totals: N items; M met, ...'").isTrue();
        long met = items.values().stream().filter(i -> i.status().equals("met")).count();
        long na = items.values().stream()
                .filter(i -> i.status().equals("not applicable"))
                .count();
        long open =
                items.values().stream().filter(i -> i.status().equals("open")).count();
        assertThat(List.of(
                        Integer.parseInt(m.group(1)),
                        Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4))))
                .isEqualTo(List.of(items.size(), (int) met, (int) na, (int) open));
    }

    @Test
    void everyNamedTestExists() throws IOException {
        Matcher m = TEST_REF.matcher(page);
        List<String> missing = new ArrayList<>();
        int named = 0;
        while (m.find()) {
            named++;
            String cls = m.group(1);
            String method = m.group(2);
            List<Path> files = testSources.getOrDefault(cls, List.of());
            if (files.isEmpty()) {
                missing.add(cls + "#" + method + ": no " + cls + ".java in any src/test/java");
                continue;
            }
            Pattern declaration = Pattern.compile("\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(");
            boolean found = false;
            for (Path f : files) {
                found |= declaration
                        .matcher(Files.readString(f, StandardCharsets.UTF_8))
                        .find();
            }
            if (!found) {
                missing.add(cls + "#" + method + ": no method " + method + " in " + files);
            }
        }
        assertThat(named).as("tests named in docs/security.md").isGreaterThanOrEqualTo(50);
        assertThat(missing).as("tests docs/security.md names that do not exist").isEmpty();
    }

    /** Simple class name -> its source files under any module's src/test/java. */
    private static Map<String, List<Path>> testSources(Path root) throws IOException {
        Map<String, List<Path>> out = new HashMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip = !dir.equals(root)
                        && (name.startsWith(".")
                                || name.equals("target")
                                || name.equals("data")
                                || name.equals("node_modules"));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = file.getFileName().toString();
                if (name.endsWith(".java") && file.toString().replace('\\', '/').contains("/src/test/java/")) {
                    out.computeIfAbsent(name.substring(0, name.length() - 5), k -> new ArrayList<>())
                            .add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }
}
