package tw.eid.pki.ca.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.CertificateStatus;
import tw.eid.pki.ca.store.DatabaseTime;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.MutableClock;

/** The status state machine of docs/profiles.md on a real MariaDB. */
class RevocationServiceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Actor OFFICER = Actor.local("officer-7");
    private static final String CA = "citizen-ca";
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));
    private static final AtomicInteger SERIALS = new AtomicInteger(0x1000);
    private static RevocationService service;

    @BeforeAll
    static void setUp() {
        service = new RevocationService(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        db.database().inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO ca (name, kind, subject_der, key_label, token_label,"
                            + " status, created_at) VALUES (?, 'citizen-ca', x'3000', 'k', 't', 'ACTIVE', ?)")) {
                ps.setString(1, CA);
                ps.setObject(2, DatabaseTime.toColumn(CLOCK.instant()));
                ps.executeUpdate();
            }
            for (String card : List.of("CARD0001", "CARD0002")) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO card (card_number, national_id_hmac,"
                        + " national_id_enc, national_id_last4, name_enc, status, created_at)"
                        + " VALUES (?, x'00', x'00', '0000', x'00', 'REGISTERED', ?)")) {
                    ps.setString(1, card);
                    ps.setObject(2, DatabaseTime.toColumn(CLOCK.instant()));
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /**
     * A stored, issued certificate (the state machine reads status, der presence and notAfter
     * only). Each has a profile of its own: one card holds several active certificates here, and
     * the store allows one active certificate per card and profile (V11).
     */
    private static String certificate(String card, boolean issued, Duration life) {
        String serial = Integer.toHexString(SERIALS.incrementAndGet());
        db.database().inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO certificate (ca_name, serial_hex, profile, card_number,"
                            + " status, not_before, not_after, tbs_der, der, public_key_sha256, created_at, updated_at)"
                            + " VALUES (?, ?, CONCAT('test-profile-', ?), ?, 'GOOD', ?, ?, x'30', ?, ?, ?, ?)")) {
                ps.setString(1, CA);
                ps.setString(2, serial);
                ps.setString(3, serial);
                ps.setString(4, card);
                ps.setObject(5, DatabaseTime.toColumn(CLOCK.instant().minusSeconds(60)));
                ps.setObject(6, DatabaseTime.toColumn(CLOCK.instant().plus(life)));
                ps.setBytes(7, issued ? new byte[] {0x30} : null);
                ps.setBytes(8, new byte[32]);
                ps.setObject(9, DatabaseTime.toColumn(CLOCK.instant()));
                ps.setObject(10, DatabaseTime.toColumn(CLOCK.instant()));
                ps.executeUpdate();
            }
            return null;
        });
        return serial;
    }

    private static String certificate(String card) {
        return certificate(card, true, Duration.ofDays(365 * 5));
    }

    private static Object[] row(String serial) {
        return db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT status, revocation_reason, revocation_time FROM certificate WHERE ca_name = ? AND serial_hex = ?")) {
                ps.setString(1, CA);
                ps.setString(2, serial);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Object[] {
                        rs.getString(1), rs.getObject(2), rs.getObject(3, java.time.LocalDateTime.class)
                    };
                }
            }
        });
    }

    private static List<String[]> log(String serial) {
        return db.database().inTransaction(c -> {
            List<String[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT old_status, new_status, reason FROM status_change"
                    + " WHERE ca_name = ? AND serial_hex = ? ORDER BY id")) {
                ps.setString(1, CA);
                ps.setString(2, serial);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            return rows;
        });
    }

    private static StatusChangeRefusedException.Code refusal(Runnable act) {
        try {
            act.run();
        } catch (StatusChangeRefusedException e) {
            return e.code();
        }
        throw new AssertionError("the change was not refused");
    }

    @Test
    void suspendResumeRevokeFollowTheStateMachine() {
        String s = certificate("CARD0001");
        StatusChange held = service.suspend(OFFICER, CA, s);
        assertThat(held.from()).isEqualTo(CertificateStatus.GOOD);
        assertThat(row(s)).containsExactly("HOLD", 6, DatabaseTime.toColumn(CLOCK.instant()));

        assertThat(refusal(() -> service.suspend(OFFICER, CA, s)))
                .isEqualTo(StatusChangeRefusedException.Code.ALREADY_ON_HOLD);

        service.resume(OFFICER, CA, s);
        assertThat(row(s)).containsExactly("GOOD", null, null);
        assertThat(refusal(() -> service.resume(OFFICER, CA, s)))
                .isEqualTo(StatusChangeRefusedException.Code.NOT_ON_HOLD);

        service.suspend(OFFICER, CA, s);
        StatusChange revoked = service.revoke(OFFICER, CA, s, RevocationReason.KEY_COMPROMISE);
        assertThat(revoked.from()).isEqualTo(CertificateStatus.HOLD);
        assertThat(row(s)[0]).isEqualTo("REVOKED");
        assertThat(row(s)[1]).isEqualTo(1);

        // Revoked is final.
        assertThat(refusal(() -> service.resume(OFFICER, CA, s)))
                .isEqualTo(StatusChangeRefusedException.Code.ALREADY_REVOKED);
        assertThat(refusal(() -> service.suspend(OFFICER, CA, s)))
                .isEqualTo(StatusChangeRefusedException.Code.ALREADY_REVOKED);
        assertThat(refusal(() -> service.revoke(OFFICER, CA, s, RevocationReason.SUPERSEDED)))
                .isEqualTo(StatusChangeRefusedException.Code.ALREADY_REVOKED);
        assertThat(row(s)[1]).isEqualTo(1);

        assertThat(log(s))
                .extracting(r -> r[0] + ">" + r[1] + ":" + r[2])
                .containsExactly("GOOD>HOLD:6", "HOLD>GOOD:null", "GOOD>HOLD:6", "HOLD>REVOKED:1");
    }

    @Test
    void refusalsChangeNothing() {
        String expired = certificate("CARD0001", true, Duration.ofSeconds(-1));
        String unissued = certificate("CARD0001", false, Duration.ofDays(10));
        String good = certificate("CARD0001");
        assertThat(refusal(() -> service.suspend(OFFICER, CA, expired)))
                .isEqualTo(StatusChangeRefusedException.Code.EXPIRED);
        assertThat(refusal(() -> service.suspend(OFFICER, CA, unissued)))
                .isEqualTo(StatusChangeRefusedException.Code.NOT_ISSUED);
        assertThat(refusal(() -> service.suspend(OFFICER, CA, "ffff0000")))
                .isEqualTo(StatusChangeRefusedException.Code.NOT_FOUND);
        assertThat(refusal(() -> service.suspend(OFFICER, "other-ca", good)))
                .isEqualTo(StatusChangeRefusedException.Code.NOT_FOUND);
        assertThat(refusal(() -> service.revoke(OFFICER, CA, good, RevocationReason.CERTIFICATE_HOLD)))
                .isEqualTo(StatusChangeRefusedException.Code.BAD_REASON);
        assertThat(row(good)).containsExactly("GOOD", null, null);
        assertThat(log(expired)).isEmpty();
        assertThat(log(unissued)).isEmpty();
        assertThat(log(good)).isEmpty();
    }

    @Test
    void reportLostHoldsExactlyTheCardsGoodCertificates() {
        String a = certificate("CARD0002");
        String b = certificate("CARD0002");
        String revoked = certificate("CARD0002");
        service.revoke(OFFICER, CA, revoked, RevocationReason.AFFILIATION_CHANGED);
        String otherCard = certificate("CARD0001");

        List<StatusChange> changes = service.reportLost(OFFICER, "CARD0002");
        assertThat(changes).extracting(StatusChange::serialHex).containsExactlyInAnyOrder(a, b);
        assertThat(row(a)[0]).isEqualTo("HOLD");
        assertThat(row(b)[0]).isEqualTo("HOLD");
        assertThat(row(revoked)[0]).isEqualTo("REVOKED");
        assertThat(row(otherCard)[0]).isEqualTo("GOOD");
        // All in one transaction: one timestamp.
        assertThat(changes)
                .extracting(StatusChange::at)
                .containsOnly(changes.get(0).at());
        // A second report changes nothing more.
        assertThat(service.reportLost(OFFICER, "CARD0002")).isEmpty();
    }

    @Test
    void concurrentTogglesLeaveAConsistentStateAndLog() throws Exception {
        String s = certificate("CARD0001");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger applied = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean suspend = i % 2 == 0;
                futures.add(pool.submit(() -> {
                    try {
                        if (suspend) {
                            service.suspend(OFFICER, CA, s);
                        } else {
                            service.resume(OFFICER, CA, s);
                        }
                        applied.incrementAndGet();
                    } catch (StatusChangeRefusedException e) {
                        assertThat(e.code())
                                .isIn(
                                        StatusChangeRefusedException.Code.ALREADY_ON_HOLD,
                                        StatusChangeRefusedException.Code.NOT_ON_HOLD);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<String[]> log = log(s);
        assertThat(log).hasSize(applied.get());
        String state = "GOOD";
        for (String[] change : log) {
            assertThat(change[0]).isEqualTo(state); // each change starts where the previous one ended
            assertThat(change[1]).isNotEqualTo(change[0]);
            state = change[1];
        }
        assertThat(row(s)[0]).isEqualTo(state);
    }

    @Test
    void everyActAndEveryRefusalIsAudited() throws Exception {
        String s = certificate("CARD0001");
        service.suspend(OFFICER, CA, s);
        refusal(() -> service.suspend(OFFICER, CA, s));
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT action, result, error_code FROM audit_event WHERE target = ? ORDER BY seq")) {
            ps.setString(1, CA + "/" + s);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getString(2)).isEqualTo("certificate.suspend SUCCESS");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3))
                        .isEqualTo("certificate.suspend REFUSED certificate.already-on-hold");
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
