package tw.eid.pki.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.cvc.AccessRight;
import tw.eid.pki.ca.cvc.AgencyAuthorizations;
import tw.eid.pki.ca.cvc.AgencyRecord;
import tw.eid.pki.ca.cvc.CertificateDescription;
import tw.eid.pki.ca.cvc.Chat;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvCertificate;
import tw.eid.pki.ca.cvc.CvPublicKey;
import tw.eid.pki.ca.cvc.CvRequest;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.OpenPace;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The terminals' renewal and the CV trust points on the relying parties' port, over HTTP from a real
 * store and real SoftHSM2 tokens: the renewed certificate is stored, audited and verified by openpace
 * through the chain; every bad request is problem+json with a code, and leaves the certificates, the
 * records and the audit trail as they were. Reads the real clock (cvc-print checks validity against it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CvTerminalHandlerTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Clock CLOCK = Clock.systemUTC();
    private static final HolderReference CVCA = HolderReference.parse("TWCVCA00001");
    private static final HolderReference DV = HolderReference.parse("TWDVMOI00001");
    private static final HolderReference FIRST = HolderReference.parse("TWAGENCY100001");
    private static final HolderReference SECOND = HolderReference.parse("TWAGENCY100002");

    private static Token offline;
    private static Token online;
    private static Server server;
    private static String base;
    private static Path chain;
    private static CvAuthority authority;
    private static AgencyAuthorizations agencies;
    private static CvCertificate cvca;
    private static KeyPair firstKeys;
    private static long record;

    @BeforeAll
    static void setUp() throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        // Both tokens exist before the first is opened (the PKCS#11 library lists its slots once).
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("cvca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online");
        offline = off.open(CLOCK);
        online = on.open(CLOCK);
        authority = new CvAuthority(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        agencies = new AgencyAuthorizations(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        cvca = authority.createCvca(
                Actor.local("custodians:alice+bob"), offline, "cvca-1", CVCA, TerminalType.AT, Period.ofYears(2));
        CvCertificate dv = authority.certifyDv(
                Actor.local("custodians:alice+bob"),
                offline,
                CVCA,
                online,
                "dv-1",
                DV,
                CvRole.DV_DOMESTIC,
                Period.ofMonths(2));
        firstKeys = ecKeys();
        record = agencies.request(
                Actor.local("officer:1001"),
                new AgencyRecord(
                        0,
                        "Sample Agency",
                        "Act 12 art. 3",
                        TerminalType.AT,
                        Set.of(AccessRight.READ_DG1, AccessRight.READ_DG4),
                        new byte[32],
                        new CertificateDescription("Ministry of the Interior", "Sample Agency", "Reads DG1 and DG4."),
                        30,
                        today().plusMonths(6),
                        "AGENCY1",
                        AgencyRecord.Status.REQUESTED,
                        "x",
                        null),
                CvRequest.create(DV, key(firstKeys), FIRST, null, signer(firstKeys)));
        CvCertificate first = agencies.approve(Actor.local("supervisor:2001"), record, online);
        chain = TestDatabase.workDirectory().resolve("cv-rp-" + System.nanoTime());
        OpenPace.store(chain, cvca);
        OpenPace.store(chain, dv);
        OpenPace.store(chain, first);

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new CvTerminalHandler(agencies, authority, online, new Handler.Abstract() {
            @Override
            public boolean handle(
                    org.eclipse.jetty.server.Request request,
                    org.eclipse.jetty.server.Response response,
                    Callback callback) {
                response.setStatus(418);
                callback.succeeded();
                return true;
            }
        }));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (server != null) {
            server.stop();
        }
        online.close();
        offline.close();
    }

    @Test
    @Order(1)
    void badRenewalsAreProblemsAndChangeNothing() throws Exception {
        KeyPair fresh = ecKeys();
        long[] before = counts();
        byte[] good = renewal(fresh, SECOND, null, FIRST, firstKeys);
        refused(post(renewal(fresh, SECOND, null, FIRST, ecKeys()), ""), 422, "cv.bad-outer-signature");
        byte[] inner = CvRequest.create(DV, key(fresh), SECOND, null, signer(fresh));
        inner[inner.length - 3] ^= 1;
        refused(
                post(CvRequest.authenticate(inner, FIRST, key(firstKeys), signer(firstKeys)), ""),
                422,
                "cv.bad-inner-signature");
        refused(
                post(
                        renewal(
                                fresh,
                                SECOND,
                                new Chat(
                                        TerminalType.AT,
                                        CvRole.TERMINAL,
                                        Set.of(AccessRight.READ_DG1, AccessRight.READ_DG2)),
                                FIRST,
                                firstKeys),
                        ""),
                422,
                "cv.rights");
        refused(post(good, "?validity-days=31"), 422, "cv.validity");
        refused(post(renewal(firstKeys, SECOND, null, FIRST, firstKeys), ""), 422, "cv.key-reused");
        refused(post(CvRequest.create(DV, key(fresh), SECOND, null, signer(fresh)), ""), 422, "cv.bad-outer-signature");
        refused(post(new byte[] {0x7F, 0x21, 0x03, 1, 2, 3}, ""), 400, "cv.malformed");
        refused(post(good, "?validity-days=0"), 400, "request.bad-parameter");
        refused(post(good, "?validity-days=7&validity-days=8"), 400, "request.bad-parameter");
        refused(post(good, "?days=7"), 400, "request.bad-parameter");
        refused(post(new byte[CvTerminalHandler.MAX_REQUEST_BYTES + 1], ""), 413, "request.too-large");
        refused(
                send(HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.RENEWAL))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(good))),
                415,
                "request.unsupported-media-type");
        refused(
                send(HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.RENEWAL))
                        .GET()),
                405,
                "request.method-not-allowed");
        assertThat(counts()).as("certificates, records, audit").containsExactly(before);

        agencies.suspend(Actor.local("supervisor:2001"), record);
        long[] suspended = counts();
        refused(post(good, ""), 409, "cv.record-not-active");
        assertThat(counts()).containsExactly(suspended);
        agencies.resume(Actor.local("supervisor:2001"), record);
    }

    /**
     * A record that ends in three days: its first certificate is cut at the end date, a renewal asking
     * past it is refused, and once the end date has passed (set back in the store: a record cannot be
     * made with an end in the past) every renewal is refused; nothing is stored.
     */
    @Test
    @Order(2)
    void theRecordsEndDateBoundsRenewalsAndAnEndedRecordStopsThem() throws Exception {
        KeyPair keys = ecKeys();
        HolderReference first = HolderReference.parse("TWAGENCY200001");
        long ending = agencies.request(
                Actor.local("officer:1001"),
                new AgencyRecord(
                        0,
                        "Short Agency",
                        "Act 12 art. 4",
                        TerminalType.AT,
                        Set.of(AccessRight.READ_DG1),
                        new byte[32],
                        new CertificateDescription("Ministry of the Interior", "Short Agency", "Reads DG1."),
                        30,
                        today().plusDays(3),
                        "AGENCY2",
                        AgencyRecord.Status.REQUESTED,
                        "x",
                        null),
                CvRequest.create(DV, key(keys), first, null, signer(keys)));
        CvCertificate cert = agencies.approve(Actor.local("supervisor:2001"), ending, online);
        assertThat(cert.body().expiration()).isEqualTo(today().plusDays(3));
        HolderReference second = HolderReference.parse("TWAGENCY200002");
        long[] before = counts();
        refused(post(renewal(ecKeys(), second, null, first, keys), "?validity-days=10"), 422, "cv.validity");
        assertThat(counts()).containsExactly(before);

        db.database().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cv_agency_record SET end_date = ? WHERE id = ?")) {
                ps.setObject(1, today().minusDays(1));
                ps.setLong(2, ending);
                ps.executeUpdate();
            }
            return null;
        });
        long[] ended = counts();
        refused(post(renewal(ecKeys(), second, null, first, keys), ""), 409, "cv.record-not-active");
        assertThat(counts()).containsExactly(ended);
    }

    @Test
    @Order(3)
    void aTerminalRenewsWithItsCurrentKeyAndOpenpaceVerifiesTheResult() throws Exception {
        long[] before = counts();
        KeyPair fresh = ecKeys();
        HttpResponse<byte[]> r = post(renewal(fresh, SECOND, null, FIRST, firstKeys), "?validity-days=7");
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        CvCertificate renewed =
                CvCertificate.parse(r.body(), cvca.body().publicKey().curve());
        assertThat(renewed.body().chr()).isEqualTo(SECOND);
        assertThat(renewed.body().car()).isEqualTo(DV);
        assertThat(renewed.body().expiration()).isEqualTo(today().plusDays(6));
        assertThat(renewed.body().chat().rights())
                .containsExactlyInAnyOrder(AccessRight.READ_DG1, AccessRight.READ_DG4);
        long[] after = counts();
        assertThat(after[0]).as("one certificate row").isEqualTo(before[0] + 1);
        assertThat(after[3]).as("one audit event").isEqualTo(before[3] + 1);
        assertThat(storedDer(SECOND))
                .as("the row holds exactly what was handed out")
                .isEqualTo(r.body());
        assertThat(lastAudit()).isEqualTo("terminal:TWAGENCY100001 cv.terminal.renew");
        String printed = OpenPace.print(chain, OpenPace.store(chain, renewed));
        assertThat(printed).contains("certificate verified", "Read DG 1", "Read DG 4", "[exit 0]");

        // The same request again: its CHR is taken now; nothing more is stored.
        long[] once = counts();
        refused(post(renewal(ecKeys(), SECOND, null, FIRST, firstKeys), ""), 400, "cv.holder-reference");
        assertThat(counts()).containsExactly(once);
    }

    @Test
    @Order(4)
    void trustPointsAreEveryCvcaAndLinkCertificateOldestFirst() throws Exception {
        HttpResponse<byte[]> one = send(HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.TRUST_POINTS))
                .GET());
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.body()).isEqualTo(cvca.encoded());
        CvAuthority.Rollover roll =
                authority.rollover(Actor.local("custodians:alice+bob"), offline, CVCA, "cvca-2", Period.ofYears(2));
        HttpResponse<byte[]> three = send(HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.TRUST_POINTS))
                .GET());
        assertThat(three.body())
                .isEqualTo(concat(
                        cvca.encoded(), roll.selfSigned().encoded(), roll.link().encoded()));
        // openpace: the link, with only the old CVCA trusted.
        Path links = chain.resolve("links");
        OpenPace.store(links, cvca);
        Path link = links.resolve("link.cvcert");
        Files.write(link, roll.link().encoded());
        assertThat(OpenPace.print(links, link)).contains("certificate verified", "[exit 0]");
        HttpResponse<String> post = http().send(
                        HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.TRUST_POINTS))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/cv/other")).GET())
                        .statusCode())
                .as("other paths are the wrapped handler's")
                .isEqualTo(418);
    }

    // ---- helpers

    private static LocalDate today() {
        return LocalDate.now(CLOCK.withZone(ZoneOffset.UTC));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static HttpClient http() {
        return HttpClient.newHttpClient();
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> post(byte[] body, String query) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + CvTerminalHandler.RENEWAL + query))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static void refused(HttpResponse<byte[]> r, int status, String code) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(body).contains("\"code\":\"" + code + "\"").doesNotContain("Exception", "\tat ");
    }

    private static byte[] renewal(
            KeyPair newKeys, HolderReference chr, Chat asked, HolderReference outerCar, KeyPair current) {
        byte[] inner = CvRequest.create(DV, key(newKeys), chr, asked, signer(newKeys));
        return CvRequest.authenticate(inner, outerCar, key(current), signer(current));
    }

    /** Certificates, records (with their status) and audit events: what a refusal must leave alone. */
    private static long[] counts() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            long[] out = new long[4];
            String[] q = {
                "SELECT COUNT(*) FROM cv_certificate",
                "SELECT COUNT(*) FROM cv_agency_record",
                "SELECT COALESCE(SUM(CRC32(CONCAT(id, status))), 0) FROM cv_agency_record",
                "SELECT COUNT(*) FROM audit_event"
            };
            for (int i = 0; i < q.length; i++) {
                try (ResultSet rs = s.executeQuery(q[i])) {
                    rs.next();
                    out[i] = rs.getLong(1);
                }
            }
            return out;
        }
    }

    private static byte[] storedDer(HolderReference chr) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT der FROM cv_certificate WHERE kind = 'TERMINAL' AND chr = ?")) {
            ps.setString(1, chr.toString());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getBytes(1);
            }
        }
    }

    private static String lastAudit() throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT actor, action FROM audit_event ORDER BY seq DESC LIMIT 1")) {
            rs.next();
            return rs.getString(1) + " " + rs.getString(2);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static CvPublicKey key(KeyPair k) {
        return CvPublicKey.of(SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded()));
    }

    private static Supplier<ContentSigner> signer(KeyPair k) {
        return () -> {
            try {
                return new JcaContentSignerBuilder("SHA256withECDSA")
                        .setProvider("BC")
                        .build(k.getPrivate());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
