package tw.eid.pki.ca.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.audit.AuditVerifier;
import tw.eid.pki.ca.profile.HolderName;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.SecretKeyType;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/** Card registration on a real token (HMAC and AES-GCM in SoftHSM2) and a real MariaDB. */
class CardRegistryTest {
    /** The registry's and the audit's clock: a fixed day (the token keeps a running clock). */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2028-02-29T12:00:00Z"), ZoneOffset.UTC);

    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Actor OFFICER = new Actor("officer-0042", "127.0.0.1", "127.0.0.1:8443");
    private static final String ID = "A123456789";
    private static final String NAME = "王小明";
    private static Token token;
    private static CardRegistry registry;

    @BeforeAll
    static void open() {
        SoftHsmTestTokens.TestToken t = SoftHsmTestTokens.create("card");
        token = t.open(Clock.systemUTC());
        token.generateSecretKey("pii-hmac-1", SecretKeyType.HMAC_SHA256);
        token.generateSecretKey("pii-aes-1", SecretKeyType.AES_256);
        token.generateKeyPair("audit-key", KeyAlgorithm.EC_P256);
        registry = new CardRegistry(
                db.database(),
                new PersonalDataKeys(token, "pii-hmac-1", "pii-aes-1"),
                AuditLedger.hashChained(CLOCK),
                CLOCK);
    }

    @AfterAll
    static void close() {
        token.close();
    }

    private static CardRegistration registration(String cardNumber, String id, String name) {
        return new CardRegistration(
                cardNumber,
                HexFormat.of().parseHex("04a1b2c3d4e5f6"),
                NationalId.of(id),
                HolderName.of(name, Set.of()));
    }

    @Test
    void registersWithoutClearPersonalDataAndShowsItOnlyToThoseWhoMay() throws Exception {
        Card card = registry.register(OFFICER, registration("TW00000001", ID, NAME));
        assertThat(card.nationalIdLast4()).isEqualTo("6789");

        assertThat(registry.find("TW00000001", true).orElseThrow().holderName()).isEqualTo(NAME);
        Card forAuditor = registry.find("TW00000001", false).orElseThrow();
        assertThat(forAuditor.holderName()).isNull();
        assertThat(forAuditor.toString()).doesNotContain(ID);

        // Nowhere in the database, in any column of any table, is the national ID or the name in clear.
        assertThat(dumpContains(ID.getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(dumpContains(NAME.getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(dumpContains("6789".getBytes(StandardCharsets.US_ASCII))).isTrue(); // the dump does see data

        assertThat(registry.cardsOf(NationalId.of(ID))).contains("TW00000001");
        assertThat(registry.cardsOf(NationalId.of("B123456780"))).doesNotContain("TW00000001");
    }

    @Test
    void refusesADuplicateCardAndInvalidInput() {
        registry.register(OFFICER, registration("TW00000002", ID, NAME));
        assertThatThrownBy(() -> registry.register(OFFICER, registration("TW00000002", ID, NAME)))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.code()).isEqualTo(CardException.Code.CARD_EXISTS));
        assertThatThrownBy(() -> NationalId.of("A123456788"))
                .isInstanceOfSatisfying(
                        CardException.class,
                        e -> assertThat(e.code()).isEqualTo(CardException.Code.INVALID_NATIONAL_ID));
        assertThatThrownBy(() -> NationalId.of("A323456789")).isInstanceOf(CardException.class);
        assertThatThrownBy(() -> registration("tw-1", ID, NAME))
                .isInstanceOfSatisfying(
                        CardException.class,
                        e -> assertThat(e.code()).isEqualTo(CardException.Code.INVALID_CARD_NUMBER));
        assertThatThrownBy(() -> CardRegistration.chipUidFromHex("abc"))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.code()).isEqualTo(CardException.Code.INVALID_CHIP_UID));
    }

    @Test
    void aSealedNameMovedToAnotherCardDoesNotOpen() throws Exception {
        registry.register(OFFICER, registration("TW00000003", ID, NAME));
        registry.register(OFFICER, registration("TW00000004", "B123456780", "陳美麗"));
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE card SET name_enc = (SELECT name_enc FROM (SELECT name_enc FROM card"
                    + " WHERE card_number = 'TW00000003') x) WHERE card_number = 'TW00000004'");
        }
        assertThatThrownBy(() -> registry.find("TW00000004", true)).isInstanceOf(RuntimeException.class);
        assertThat(registry.find("TW00000004", false)).isPresent();
        assertThat(token.health().up()).isTrue();
    }

    @Test
    void everyRegistrationIsAuditedWithoutPersonalData() throws Exception {
        registry.register(OFFICER, registration("TW00000005", ID, NAME));
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT actor, action, source_addr FROM audit_event WHERE target = 'TW00000005'");
                ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("officer-0042");
            assertThat(rs.getString(2)).isEqualTo("card.register");
            assertThat(rs.getString(3)).isEqualTo("127.0.0.1");
        }
        var report = AuditVerifier.verify(
                db.dataSource(),
                new JcaContentVerifierProviderBuilder()
                        .setProvider(new BouncyCastleProvider())
                        .build(token.publicKey("audit-key")));
        assertThat(report.ok()).isTrue();
        assertThat(report.eventsChecked()).isGreaterThanOrEqualTo(1);
    }

    private static boolean dumpContains(byte[] needle) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet tables = s.executeQuery("SHOW TABLES")) {
            java.util.List<String> names = new java.util.ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            for (String table : names) {
                try (Statement q = c.createStatement();
                        ResultSet rs = q.executeQuery("SELECT * FROM `" + table + "`")) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object o = rs.getObject(i);
                            byte[] v = o == null
                                    ? null
                                    : o instanceof byte[] b ? b : o.toString().getBytes(StandardCharsets.UTF_8);
                            if (v != null && indexOf(v, needle) >= 0) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
