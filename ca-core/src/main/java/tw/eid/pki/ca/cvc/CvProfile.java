package tw.eid.pki.ca.cvc;

import java.time.LocalDate;
import java.time.Period;

/**
 * The validity range of each kind of CV certificate (BSI TR-03139 §2.2 and Table 1, the issue's
 * figures): CVCA and link certificates 6 months to 3 years, Document Verifier certificates 2 weeks to
 * 3 months, terminal certificates 1 day to 1 month. An expiration date is valid through its end, so
 * a certificate effective and expiring on the same day is valid for one day, and "1 month" from
 * 7 December ends on 6 January. Ranges are calendar sums, not durations.
 */
public enum CvProfile {
    CVCA(Period.ofMonths(6), Period.ofYears(3)),
    LINK(Period.ofMonths(6), Period.ofYears(3)),
    DV(Period.ofWeeks(2), Period.ofMonths(3)),
    TERMINAL(Period.ofDays(1), Period.ofMonths(1));

    private final Period min;
    private final Period max;

    CvProfile(Period min, Period max) {
        this.min = min;
        this.max = max;
    }

    public Period min() {
        return min;
    }

    public Period max() {
        return max;
    }

    /** The last day a certificate effective on {@code effective} may run to. */
    public LocalDate latestExpiration(LocalDate effective) {
        return effective.plus(max).minusDays(1);
    }

    /** Refuses an expiration outside [effective + min − 1 day, effective + max − 1 day]. */
    public void check(LocalDate effective, LocalDate expiration) {
        if (expiration.isBefore(effective)) {
            throw new CvException(CvException.Code.VALIDITY, "the expiration date is before the effective date");
        }
        if (expiration.isBefore(effective.plus(min).minusDays(1))) {
            throw new CvException(CvException.Code.VALIDITY, "a " + this + " certificate is valid at least " + min);
        }
        if (expiration.isAfter(latestExpiration(effective))) {
            throw new CvException(CvException.Code.VALIDITY, "a " + this + " certificate is valid at most " + max);
        }
    }
}
