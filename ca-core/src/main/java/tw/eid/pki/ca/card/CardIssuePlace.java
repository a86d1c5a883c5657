package tw.eid.pki.ca.card;

import java.util.Map;
import java.util.TreeMap;

/**
 * The published code list of card issue places (issue 25): the household registration offices' county
 * or city, by the Ministry of the Interior's five-digit administrative area code (行政區域代碼), the
 * code the household registration service's card query uses. docs/api.md prints the same list; a
 * test checks that the two agree. Only today's 22 counties and cities: the new card has been issued
 * only since they exist.
 */
public final class CardIssuePlace {
    private static final Map<String, String> PLACES = new TreeMap<>(Map.ofEntries(
            Map.entry("63000", "臺北市"),
            Map.entry("64000", "高雄市"),
            Map.entry("65000", "新北市"),
            Map.entry("66000", "臺中市"),
            Map.entry("67000", "臺南市"),
            Map.entry("68000", "桃園市"),
            Map.entry("10002", "宜蘭縣"),
            Map.entry("10004", "新竹縣"),
            Map.entry("10005", "苗栗縣"),
            Map.entry("10007", "彰化縣"),
            Map.entry("10008", "南投縣"),
            Map.entry("10009", "雲林縣"),
            Map.entry("10010", "嘉義縣"),
            Map.entry("10013", "屏東縣"),
            Map.entry("10014", "臺東縣"),
            Map.entry("10015", "花蓮縣"),
            Map.entry("10016", "澎湖縣"),
            Map.entry("10017", "基隆市"),
            Map.entry("10018", "新竹市"),
            Map.entry("10020", "嘉義市"),
            Map.entry("09007", "連江縣"),
            Map.entry("09020", "金門縣")));

    private CardIssuePlace() {}

    /** Every code and its name, ordered by code. */
    public static Map<String, String> all() {
        return PLACES;
    }

    /** The code itself if it is on the list; otherwise {@link CardException.Code#INVALID_ISSUE_PLACE}. */
    public static String require(String code) {
        if (code == null || !PLACES.containsKey(code)) {
            throw new CardException(
                    CardException.Code.INVALID_ISSUE_PLACE, "issue place must be a code of the published list");
        }
        return code;
    }
}
