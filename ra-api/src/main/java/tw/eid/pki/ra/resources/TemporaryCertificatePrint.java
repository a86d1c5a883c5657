package tw.eid.pki.ra.resources;

import java.time.LocalDate;
import java.util.List;
import tw.eid.pki.ca.document.seal.TemporaryCertificateContent;

/**
 * The printed fields of a temporary ID certificate (臨時國民身分證證明書), each with its Traditional
 * Chinese and English label; dates as the Republic of China calendar (民國) and ISO 8601.
 */
public final class TemporaryCertificatePrint {
    private TemporaryCertificatePrint() {}

    public static final String TITLE_ZH = "臨時國民身分證證明書";
    public static final String TITLE_EN = "Temporary National Identification Certificate";

    public static List<Views.PrintedField> fields(TemporaryCertificateContent c) {
        return List.of(
                new Views.PrintedField("證明書號碼", "Certificate No.", c.documentNumber()),
                new Views.PrintedField("姓名", "Name", c.name()),
                new Views.PrintedField("國民身分證統一編號", "National ID No.", c.nationalId()),
                new Views.PrintedField("出生日期", "Date of birth", date(c.birthDate())),
                new Views.PrintedField("有效期間（起）", "Valid from", date(c.validFrom())),
                new Views.PrintedField("有效期間（迄）", "Valid until", date(c.validUntil())),
                new Views.PrintedField("發證機關代碼", "Issuing office", c.officeCode()));
    }

    /** 民國46年3月25日 (1957-03-25): the ROC year is the Gregorian year minus 1911. */
    static String date(LocalDate d) {
        int roc = d.getYear() - 1911;
        String year = roc >= 1 ? "民國" + roc + "年" : "民國前" + (1 - roc) + "年";
        return year + d.getMonthValue() + "月" + d.getDayOfMonth() + "日 (" + d + ")";
    }
}
