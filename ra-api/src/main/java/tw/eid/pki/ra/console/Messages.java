package tw.eid.pki.ra.console;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The console's text in one language: Traditional Chinese ({@code zh-TW}, the default) or English,
 * from the resource bundles {@code tw/eid/pki/ra/console/messages*.properties} (UTF-8). Dates are
 * shown in Asia/Taipei time; in zh-TW the Minguo (民國) year stands beside the ISO date.
 */
public final class Messages {
    static final ZoneId TAIPEI = ZoneId.of("Asia/Taipei");
    static final List<String> LANGUAGES = List.of("zh-TW", "en");
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private final String language;
    private final ResourceBundle bundle;

    private Messages(String language) {
        this.language = language;
        this.bundle = ResourceBundle.getBundle(
                "tw.eid.pki.ra.console.messages",
                Locale.forLanguageTag(language),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    private static final Messages ZH_TW = new Messages("zh-TW");
    private static final Messages EN = new Messages("en");

    static Messages of(String language) {
        return "en".equals(language) ? EN : ZH_TW;
    }

    /**
     * The language for a request: the session's choice if there is one, else the first of {@code
     * zh-TW} and {@code en} that Accept-Language ranks highest, else zh-TW.
     */
    static String language(String chosen, Enumeration<Locale> accepted) {
        if (chosen != null && LANGUAGES.contains(chosen)) {
            return chosen;
        }
        while (accepted != null && accepted.hasMoreElements()) {
            Locale l = accepted.nextElement();
            if (l.getLanguage().equals("zh")) {
                return "zh-TW";
            }
            if (l.getLanguage().equals("en")) {
                return "en";
            }
        }
        return "zh-TW";
    }

    public String language() {
        return language;
    }

    /** The other language, for the switch on every page. */
    public String otherLanguage() {
        return "en".equals(language) ? "zh-TW" : "en";
    }

    /** The text for {@code key}; a missing key shows as itself (a test checks that none is missing). */
    public String t(String key) {
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }

    /** The text for {@code key} with its {@code {0}} replaced by {@code value} (escaped later by the template). */
    public String t(String key, String value) {
        return t(key).replace("{0}", value);
    }

    boolean has(String key) {
        return bundle.containsKey(key);
    }

    /** An instant in Asia/Taipei; in zh-TW with the Minguo year: {@code 2026-12-08 06:05（民國115年）}. */
    public String time(Instant instant) {
        if (instant == null) {
            return "";
        }
        ZonedDateTime t = instant.atZone(TAIPEI);
        String iso = ISO.format(t);
        return "en".equals(language) ? iso + " (Taipei)" : iso + "（民國" + (t.getYear() - 1911) + "年）";
    }

    Iterable<String> keys() {
        return bundle.keySet();
    }
}
