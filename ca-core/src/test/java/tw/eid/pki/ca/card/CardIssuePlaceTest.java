package tw.eid.pki.ca.card;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The published code list (docs/api.md, "Card issue places") is the code's, and the issue data checks. */
class CardIssuePlaceTest {
    @Test
    void docsApiMdPublishesExactlyTheCodeList() throws Exception {
        String api = Files.readString(Path.of("..", "docs", "api.md"));
        String section = api.substring(api.indexOf("#### Card issue places"));
        Map<String, String> published = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\| ([0-9]{5}) \\| (\\S+) \\|$").matcher(section);
        while (m.find()) {
            published.put(m.group(1), m.group(2));
        }
        assertThat(published).hasSize(22).isEqualTo(CardIssuePlace.all());
    }

    @Test
    void issueDataIsAllOrNothingAndChecked() {
        LocalDate d = LocalDate.of(2028, 2, 29);
        assertThat(CardIssueData.of(null, null, null, null)).isNull();
        assertThat(CardIssueData.of(d, "63000", "renewal", d.plusYears(10)))
                .isEqualTo(new CardIssueData(d, "63000", CardIssueType.RENEWAL, LocalDate.of(2038, 2, 28)));
        assertThat(code(() -> CardIssueData.of(d, null, null, null)))
                .isEqualTo(CardException.Code.INCOMPLETE_ISSUE_DATA);
        assertThat(code(() -> CardIssueData.of(null, null, null, d)))
                .isEqualTo(CardException.Code.INCOMPLETE_ISSUE_DATA);
        assertThat(code(() -> CardIssueData.of(d, "6300", "initial", null)))
                .isEqualTo(CardException.Code.INVALID_ISSUE_PLACE);
        assertThat(code(() -> CardIssueData.of(d, "63000", "INITIAL", null)))
                .isEqualTo(CardException.Code.INVALID_ISSUE_TYPE);
        assertThat(code(() -> CardIssueData.of(d, "63000", "initial", d)))
                .isEqualTo(CardException.Code.INVALID_EXPIRY_DATE);
        assertThat(code(() -> CardIssueData.of(LocalDate.of(1945, 12, 31), "63000", "initial", null)))
                .isEqualTo(CardException.Code.INVALID_ISSUE_DATE);
    }

    private static CardException.Code code(Runnable r) {
        try {
            r.run();
        } catch (CardException e) {
            return e.code();
        }
        throw new AssertionError("no refusal");
    }
}
