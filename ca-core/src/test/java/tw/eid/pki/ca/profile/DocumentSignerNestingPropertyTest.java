package tw.eid.pki.ca.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule behind the CSCA's validity (docs/profiles.md; ICAO 9303-12 §7.1.1): a Document Signer
 * certified at the last instant of the CSCA's private key usage period, with the longest DS
 * validity the settings give, ends within the CSCA's validity; so every SOD signed in the DS's
 * usage period verifies for the card's whole life.
 *
 * <p>A property over every issuance day from 2024-01-01 to 2040-12-31, at the first and the last
 * second of the day and at noon, and over the range of settings {@link ProfileSettings} accepts
 * (CSCA key usage 3..5 years, DS key usage up to 90 days, card lifetime up to 10 years), run on
 * {@link CertificateProfile#validity(ProfileSettings, Instant)} itself, the computation both
 * issuance and lint use. Calendar periods (years) span a varying number of 29 Februaries, so a
 * comparison of two durations is not the rule; this is.
 */
class DocumentSignerNestingPropertyTest {
    private static final LocalDate FIRST = LocalDate.of(2024, 1, 1);
    private static final LocalDate LAST = LocalDate.of(2040, 12, 31);
    private static final List<LocalTime> TIMES = List.of(LocalTime.MIDNIGHT, LocalTime.NOON, LocalTime.of(23, 59, 59));

    @Test
    void aDocumentSignerCertifiedAtTheCscasLastUsageInstantEndsWithinTheCsca() {
        int checked = 0;
        List<String> broken = new ArrayList<>();
        for (ProfileSettings settings : settingsRange()) {
            for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
                for (LocalTime time : TIMES) {
                    Instant issued = day.atTime(time).toInstant(ZoneOffset.UTC);
                    CertificateProfile.Validity csca = CertificateProfile.CSCA.validity(settings, issued);
                    // The last instant the CSCA's key may sign (privateKeyUsagePeriod is inclusive).
                    Instant lastSigning = csca.usageNotAfter();
                    CertificateProfile.Validity ds = CertificateProfile.DOCUMENT_SIGNER.validity(settings, lastSigning);
                    checked++;
                    if (ds.notAfter().isAfter(csca.notAfter()) || ds.notBefore().isBefore(csca.notBefore())) {
                        broken.add(describe(settings, issued, csca, ds));
                    }
                    // The usage period is the one the CSCA's certificate carries: from its notBefore, for
                    // the configured years, inclusive.
                    if (!csca.usageNotBefore().equals(issued)
                            || !csca.usageNotAfter()
                                    .equals(issued.atOffset(ZoneOffset.UTC)
                                            .plusYears(settings.cscaKeyUsageYears())
                                            .toInstant()
                                            .minusSeconds(1))) {
                        broken.add("usage period " + describe(settings, issued, csca, ds));
                    }
                }
            }
        }
        assertThat(broken).as("issuance instants that break the rule").isEmpty();
        // 27 settings × 6,210 days × 3 times of day: the loop really ran over the whole range.
        assertThat(checked).isEqualTo(27 * 6_210 * 3);
    }

    @Test
    void aCardSignedAtTheDocumentSignersLastUsageInstantEndsWithinTheDocumentSigner() {
        // The same rule one level down (docs/profiles.md: DS validity = key usage period + card
        // lifetime): the card's last day, however the card system adds its years to a 29 February
        // (clamped to the 28th or carried to 1 March at midnight), is inside the DS's validity.
        List<String> broken = new ArrayList<>();
        for (ProfileSettings settings : settingsRange()) {
            for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
                for (LocalTime time : TIMES) {
                    Instant issued = day.atTime(time).toInstant(ZoneOffset.UTC);
                    CertificateProfile.Validity ds = CertificateProfile.DOCUMENT_SIGNER.validity(settings, issued);
                    Instant lastCard = ds.usageNotAfter();
                    Instant clamped = lastCard.atOffset(ZoneOffset.UTC)
                            .plusYears(settings.cardLifetimeYears())
                            .toInstant();
                    boolean leapDay = lastCard.atOffset(ZoneOffset.UTC).getDayOfMonth()
                            != clamped.atOffset(ZoneOffset.UTC).getDayOfMonth();
                    Instant carried = leapDay
                            ? clamped.atOffset(ZoneOffset.UTC)
                                    .toLocalDate()
                                    .plusDays(1)
                                    .atStartOfDay()
                                    .toInstant(ZoneOffset.UTC)
                            : clamped;
                    // Card ends are exclusive; the DS's notAfter is inclusive.
                    if (clamped.minusSeconds(1).isAfter(ds.notAfter())
                            || carried.minusSeconds(1).isAfter(ds.notAfter())) {
                        broken.add("DS issued " + issued + " (" + settings.documentSignerKeyUsage() + ", card "
                                + settings.cardLifetimeYears() + " y): DS ends " + ds.notAfter() + ", card " + clamped
                                + " / " + carried);
                    }
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void yearsRoundingUpCarryA29FebruaryToTheEndOfThe28th() {
        assertThat(CertificateProfile.plusYearsRoundingUp(Instant.parse("2032-02-29T12:00:00Z"), 10))
                .isEqualTo(Instant.parse("2042-03-01T00:00:00Z"));
        assertThat(CertificateProfile.plusYearsRoundingUp(Instant.parse("2032-02-29T12:00:00Z"), 4))
                .isEqualTo(Instant.parse("2036-02-29T12:00:00Z"));
        assertThat(CertificateProfile.plusYearsRoundingUp(Instant.parse("2032-02-28T23:59:59Z"), 10))
                .isEqualTo(Instant.parse("2042-02-28T23:59:59Z"));
        assertThat(CertificateProfile.plusYearsRoundingUp(Instant.parse("2031-12-31T23:59:59Z"), 1))
                .isEqualTo(Instant.parse("2032-12-31T23:59:59Z"));
    }

    @Test
    void theRuleIsTightOnTheCscaSideNotASlackOfDays() {
        // The CSCA's notAfter is the longest DS's, to the second, or a day later where the DS's end
        // and the CSCA's lie on either side of a 29 February of the target year (a usage end of 1
        // March 2030 + 10 y is 1 March 2040; 28 February 2030 23:59:59 + 10 y is the 28th): the
        // property above is not met by a CSCA that simply runs a year too long.
        ProfileSettings settings = ProfileSettings.defaults();
        for (LocalDate day = FIRST; !day.isAfter(LAST); day = day.plusDays(1)) {
            Instant issued = day.atStartOfDay().toInstant(ZoneOffset.UTC);
            CertificateProfile.Validity csca = CertificateProfile.CSCA.validity(settings, issued);
            CertificateProfile.Validity ds =
                    CertificateProfile.DOCUMENT_SIGNER.validity(settings, csca.usageNotAfter());
            assertThat(Duration.between(ds.notAfter(), csca.notAfter()))
                    .as("at %s", issued)
                    .isBetween(Duration.ZERO, Duration.ofDays(1).plusSeconds(1));
        }
    }

    private static List<ProfileSettings> settingsRange() {
        ProfileSettings d = ProfileSettings.defaults();
        List<ProfileSettings> all = new ArrayList<>();
        for (int cscaYears = 3; cscaYears <= 5; cscaYears++) {
            for (Duration dsUsage : List.of(Duration.ofDays(1), Duration.ofDays(30), Duration.ofDays(90))) {
                for (int cardYears : List.of(1, 5, 10)) {
                    all.add(new ProfileSettings(
                            d.names(),
                            d.publicationBase(),
                            d.citizenCaPolicies(),
                            d.ocspSignerValidity(),
                            cscaYears,
                            dsUsage,
                            cardYears,
                            d.rootArlLifetime(),
                            d.cscaCrlLifetime()));
                }
            }
        }
        return all;
    }

    private static String describe(
            ProfileSettings s, Instant issued, CertificateProfile.Validity csca, CertificateProfile.Validity ds) {
        return "CSCA issued " + issued + " (" + s.cscaKeyUsageYears() + " y usage, DS " + s.documentSignerKeyUsage()
                + ", card " + s.cardLifetimeYears() + " y): CSCA " + csca.notBefore() + ".." + csca.notAfter() + ", DS "
                + ds.notBefore() + ".." + ds.notAfter();
    }
}
