package tw.eid.pki.ca.cvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.ejbca.cvc.AccessRightAuthTerm;
import org.ejbca.cvc.AuthorizationRoleEnum;
import org.ejbca.cvc.CVCAuthenticatedRequest;
import org.ejbca.cvc.CVCObject;
import org.ejbca.cvc.CVCertificate;
import org.ejbca.cvc.CertificateParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.hsm.SoftHsmTestTokens;
import tw.eid.pki.hsm.Token;

/**
 * The CV hierarchy on real SoftHSM2 tokens and a real MariaDB: the CVCA made in the offline token, DVs
 * in the online token, agency records requested by an officer and approved by a supervisor, terminal
 * certificates from CV requests, renewals authenticated by the outer signature, the refusals, and a
 * CVCA rollover. Judged by openpace's cvc-print (chains, the certificate description, a changed CHAT
 * byte), EJBCA's cert-cvc (parse and verify every certificate and request it can read), Bouncy
 * Castle's EAC classes (IS certificates) and Bouncy Castle's provider's plain-ECDSA verifier.
 *
 * <p>Reads the system clock on purpose: cvc-print checks validity against it (docs/testing.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CvAuthorityTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    private static final Clock CLOCK = Clock.systemUTC();
    private static final Actor CUSTODIANS = Actor.local("ceremony:cvca");
    private static final Actor OFFICER = Actor.local("officer:1001");
    private static final Actor SUPERVISOR = Actor.local("supervisor:2001");
    private static final Actor TERMINAL = Actor.local("terminal:TWAGENCY1");
    private static final HolderReference CVCA = HolderReference.parse("TWCVCA00001");
    private static final HolderReference CVCA_IS = HolderReference.parse("TWCVCAIS00001");
    private static final HolderReference DV = HolderReference.parse("TWDVMOI00001");
    private static final HolderReference DV_IS = HolderReference.parse("TWDVMOIIS00001");

    private static Token offline;
    private static Token online;
    private static Path dir;
    private static CvAuthority authority;
    private static AgencyAuthorizations agencies;
    private static CvCertificate cvca;
    private static CvCertificate dv;
    private static CvCertificate at;
    private static KeyPair atKeys;
    private static long atRecord;
    private static CertificateDescription description;

    @BeforeAll
    static void setUp() throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        SoftHsmTestTokens.TestToken off = SoftHsmTestTokens.create("cvca");
        SoftHsmTestTokens.TestToken on = SoftHsmTestTokens.create("online");
        offline = off.open(CLOCK);
        online = on.open(CLOCK);
        dir = TestDatabase.workDirectory().resolve("cv-" + System.nanoTime());
        Files.createDirectories(dir);
        authority = new CvAuthority(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        agencies = new AgencyAuthorizations(db.database(), AuditLedger.hashChained(CLOCK), CLOCK);
        description = new CertificateDescription(
                "Ministry of the Interior", "Sample Agency", "Reads name and given names for benefit claims.");
    }

    @AfterAll
    static void tearDown() {
        online.close();
        offline.close();
    }

    private static LocalDate today() {
        return LocalDate.now(CLOCK.withZone(ZoneOffset.UTC));
    }

    @Test
    @Order(1)
    void cvcaDvAndAnAuthenticationTerminalFromAnApprovedRecord() throws Exception {
        cvca = authority.createCvca(CUSTODIANS, offline, "cvca-1", CVCA, TerminalType.AT, Period.ofYears(2));
        dv = authority.certifyDv(
                CUSTODIANS, offline, CVCA, online, "dv-moi-1", DV, CvRole.DV_DOMESTIC, Period.ofMonths(2));
        atKeys = ecKeys();
        byte[] first = CvRequest.create(DV, key(atKeys), HolderReference.parse("TWAGENCY100001"), null, signer(atKeys));
        AgencyRecord record =
                record(TerminalType.AT, Set.of(AccessRight.READ_DG1, AccessRight.READ_DG4), 30, "AGENCY1");
        atRecord = agencies.request(OFFICER, record, first);
        // The officer who recorded it cannot approve it.
        assertThatThrownBy(() -> agencies.approve(OFFICER, atRecord, online))
                .isInstanceOf(CvException.class)
                .extracting(e -> ((CvException) e).code())
                .isEqualTo(CvException.Code.SELF_APPROVAL);
        at = agencies.approve(SUPERVISOR, atRecord, online);

        // The byte check: read DG1 (bit 8) and DG4 (bit 11), role 00. The CHAT's length is 0x12 (18
        // bytes: 06 09 + 9 and 53 05 + 5), not the 0x0E the issue printed.
        assertThat(HexFormat.of().withUpperCase().formatHex(at.encoded()))
                .contains("7F4C12060904007F00070301020253050000000900");
        assertThat(at.signature()).hasSize(64);
        assertThat(at.body().expiration()).isEqualTo(today().plusDays(29));
        for (CvCertificate c : List.of(cvca, dv, at)) {
            datesAreBcdAndOrdered(c);
        }
        assertThat(CvPublicKey.hasDomainParameters(Tlv.parse(cvca.bodyEncoded()).required(Tlv.PUBLIC_KEY)))
                .isTrue();
        assertThat(CvPublicKey.hasDomainParameters(Tlv.parse(dv.bodyEncoded()).required(Tlv.PUBLIC_KEY)))
                .isFalse();
        assertThat(CvPublicKey.hasDomainParameters(Tlv.parse(at.bodyEncoded()).required(Tlv.PUBLIC_KEY)))
                .isFalse();

        // openpace: the chain and the description.
        Path chain = dir.resolve("at-chain");
        OpenPace.store(chain, cvca);
        OpenPace.store(chain, dv);
        Path atFile = OpenPace.store(chain, at);
        Path desc = chain.resolve("description.der");
        Files.write(desc, description.encoded());
        String out = OpenPace.print(chain, atFile, "--description", desc.toString());
        assertThat(out)
                .contains("certificate verified", "certificate description matches certificate", "[exit 0]")
                .contains("Read DG 1", "Read DG 4")
                .doesNotContain("Read DG 2");
        // One CHAT byte changed: the DV's signature no longer covers the body.
        byte[] tampered = at.encoded();
        int chat = indexOf(tampered, HexFormat.of().parseHex("5305000000090" + "0"));
        tampered[chat + 5] = 0x08; // read DG1 + DG4 → DG4 only... the byte 09 becomes 08
        Files.write(atFile, tampered);
        assertThat(OpenPace.print(chain, atFile)).contains("certificate not verified");
        Files.write(atFile, at.encoded());

        // EJBCA cert-cvc: the CVCA and the DV, parsed and verified with their issuer's key.
        CVCertificate ejCvca = CertificateParser.parseCertificate(cvca.encoded());
        ejCvca.verify(ejCvca.getCertificateBody().getPublicKey(), "BC");
        assertThat(ejCvca.getCertificateBody()
                        .getAuthorizationTemplate()
                        .getAuthorizationField()
                        .getAuthRole()
                        .isCVCA())
                .isTrue();
        CVCertificate ejDv = CertificateParser.parseCertificate(dv.encoded());
        ejDv.verify(javaKey(offline.publicKey("cvca-1")), "BC");
        assertThat(ejDv.getCertificateBody().getAuthorityReference().getConcatenated())
                .isEqualTo("TWCVCA00001");
        assertThat(ejDv.getCertificateBody().getHolderReference().getConcatenated())
                .isEqualTo("TWDVMOI00001");
        assertThat(ejDv.getCertificateBody().getValidTo()).isNotNull();
        // EJBCA 1.4.13 cannot parse the extensions' context-specific hash objects (80, as TR-03110 Part 3
        // C.3 and openpace have them): the AT certificate's signature is checked by Bouncy Castle's
        // provider instead, and EJBCA reads the AT rights from a certificate issued without extensions.
        assertThat(plainEcdsaVerifies(javaKey(online.publicKey("dv-moi-1")), at))
                .isTrue();
        assertThat(plainEcdsaVerifies(javaKey(offline.publicKey("cvca-1")), at)).isFalse();
        // The first request: EJBCA parses it and verifies the inner signature.
        CVCObject req = CertificateParser.parseCVCObject(first);
        ((CVCertificate) req).verify(atKeys.getPublic(), "BC");
        assertThat(OpenPace.printRequest(Files.write(dir.resolve("first.cvreq"), first)))
                .contains("[exit 0]");
    }

    @Test
    @Order(2)
    void ejbcaReadsTheAtRightsOfACertificateWithoutExtensions() throws Exception {
        CvPublicKey dvKey = dv.body().publicKey();
        CvCertificate plain = CvCertificate.sign(
                new CvCertificate.Body(
                        DV,
                        key(ecKeys()),
                        HolderReference.parse("TWPLAIN00001"),
                        new Chat(
                                TerminalType.AT,
                                CvRole.TERMINAL,
                                EnumSet.of(AccessRight.READ_DG1, AccessRight.READ_DG4)),
                        today(),
                        today().plusDays(6),
                        null,
                        null),
                () -> online.signer("dv-moi-1"),
                dvKey);
        CVCertificate ej = CertificateParser.parseCertificate(plain.encoded());
        ej.verify(javaKey(online.publicKey("dv-moi-1")), "BC");
        AccessRightAuthTerm rights = (AccessRightAuthTerm) ej.getCertificateBody()
                .getAuthorizationTemplate()
                .getAuthorizationField()
                .getAccessRights();
        assertThat(rights.getFlag(AccessRightAuthTerm.BIT_READ_DG1)).isTrue();
        assertThat(rights.getFlag(AccessRightAuthTerm.BIT_READ_DG4)).isTrue();
        assertThat(rights.getFlag(AccessRightAuthTerm.BIT_READ_DG2)).isFalse();
        assertThat(HexFormat.of().formatHex(rights.getEncoded())).isEqualTo("0000000900");
    }

    @Test
    @Order(3)
    void inspectionSystemChain() throws Exception {
        CvCertificate cvcaIs =
                authority.createCvca(CUSTODIANS, offline, "cvca-is-1", CVCA_IS, TerminalType.IS, Period.ofYears(1));
        CvCertificate dvIs = authority.certifyDv(
                CUSTODIANS, offline, CVCA_IS, online, "dv-is-1", DV_IS, CvRole.DV_DOMESTIC, Period.ofWeeks(6));
        KeyPair k = ecKeys();
        byte[] first = CvRequest.create(DV_IS, key(k), HolderReference.parse("TWBORDER00001"), null, signer(k));
        long id = agencies.request(
                OFFICER,
                record(TerminalType.IS, Set.of(AccessRight.IS_READ_DG3, AccessRight.IS_READ_DG4), 14, "BORDER"),
                first);
        CvCertificate is = agencies.approve(SUPERVISOR, id, online);
        Path chain = dir.resolve("is-chain");
        OpenPace.store(chain, cvcaIs);
        OpenPace.store(chain, dvIs);
        assertThat(OpenPace.print(chain, OpenPace.store(chain, is))).contains("certificate verified", "[exit 0]");
        // EJBCA reads and verifies it (no extensions besides the description hash? IS has them too).
        assertThat(plainEcdsaVerifies(javaKey(online.publicKey("dv-is-1")), is)).isTrue();
        CVCertificate ejDv = CertificateParser.parseCertificate(dvIs.encoded());
        ejDv.verify(javaKey(offline.publicKey("cvca-is-1")), "BC");
        assertThat(ejDv.getCertificateBody()
                        .getAuthorizationTemplate()
                        .getAuthorizationField()
                        .getRole())
                .isEqualTo(AuthorizationRoleEnum.DV_D);
        // Bouncy Castle's EAC classes read the IS DV certificate: role and rights (its CVCertificate's
        // name clashes with EJBCA's, hence the qualified name).
        org.bouncycastle.asn1.eac.CVCertificate bc =
                org.bouncycastle.asn1.eac.CVCertificate.getInstance(dvIs.encoded());
        assertThat(bc.getHolderReference().getCountryCode()
                        + bc.getHolderReference().getHolderMnemonic()
                        + bc.getHolderReference().getSequenceNumber())
                .isEqualTo("TWDVMOIIS00001");
        assertThat(bc.getRole() & 0xC0).isEqualTo(org.bouncycastle.asn1.eac.CertificateHolderAuthorization.DV_DOMESTIC);
        assertThat(bc.getHolderAuthorizationRights().isSet(0x01)).isTrue();
        assertThat(bc.getHolderAuthorizationRights().isSet(0x02)).isTrue();
        assertThat(is.body().chat().rights())
                .containsExactlyInAnyOrder(AccessRight.IS_READ_DG3, AccessRight.IS_READ_DG4);
    }

    @Test
    @Order(4)
    void renewalAuthenticatedByTheOuterSignatureAndTheRefusals() throws Exception {
        HolderReference next = HolderReference.parse("TWAGENCY100002");
        KeyPair fresh = ecKeys();
        // Refusals first: each leaves the certificates, the records and the audit trail as they were.
        long[] before = counts();
        KeyPair stranger = ecKeys();
        refused(
                () -> agencies.renew(TERMINAL, renewal(fresh, next, null, stranger), null, online),
                CvException.Code.BAD_OUTER_SIGNATURE);
        byte[] badInner = renewal(fresh, next, null, atKeys);
        badInner[indexOf(badInner, new byte[] {0x5F, 0x37, 0x40}) + 10] ^= 1; // inner signature
        refused(() -> agencies.renew(TERMINAL, badInner, null, online), CvException.Code.BAD_OUTER_SIGNATURE);
        refused(
                () -> agencies.renew(
                        TERMINAL,
                        renewal(
                                fresh,
                                next,
                                new Chat(
                                        TerminalType.AT,
                                        CvRole.TERMINAL,
                                        Set.of(AccessRight.READ_DG1, AccessRight.READ_DG2)),
                                atKeys),
                        null,
                        online),
                CvException.Code.RIGHTS);
        refused(
                () -> agencies.renew(TERMINAL, renewal(fresh, next, null, atKeys), 31, online),
                CvException.Code.VALIDITY);
        refused(
                () -> agencies.renew(TERMINAL, renewal(atKeys, next, null, atKeys), null, online),
                CvException.Code.KEY_REUSED);
        // An unsigned-inner request whose outer signature is good: the inner check refuses it.
        byte[] innerBroken = CvRequest.authenticate(
                brokenInner(fresh, next), HolderReference.parse("TWAGENCY100001"), key(atKeys), signer(atKeys));
        refused(() -> agencies.renew(TERMINAL, innerBroken, null, online), CvException.Code.BAD_INNER_SIGNATURE);
        // The current certificate's CHR again (a renewal takes the next sequence number).
        refused(
                () -> agencies.renew(
                        TERMINAL, renewal(fresh, HolderReference.parse("TWAGENCY100001"), null, atKeys), null, online),
                CvException.Code.HOLDER_REFERENCE);
        assertThat(counts()).containsExactly(before);

        agencies.suspend(SUPERVISOR, atRecord);
        long[] suspended = counts();
        refused(
                () -> agencies.renew(TERMINAL, renewal(fresh, next, null, atKeys), null, online),
                CvException.Code.RECORD_NOT_ACTIVE);
        assertThat(counts()).containsExactly(suspended);
        agencies.resume(SUPERVISOR, atRecord);

        // Fewer rights than approved, asked in the request: exactly those.
        CvCertificate renewed = agencies.renew(
                TERMINAL,
                renewal(fresh, next, new Chat(TerminalType.AT, CvRole.TERMINAL, Set.of(AccessRight.READ_DG1)), atKeys),
                7,
                online);
        assertThat(renewed.body().chat().rights()).containsExactly(AccessRight.READ_DG1);
        assertThat(renewed.body().expiration()).isEqualTo(today().plusDays(6));
        Path chain = dir.resolve("at-chain");
        assertThat(OpenPace.print(chain, OpenPace.store(chain, renewed))).contains("certificate verified", "[exit 0]");
        CVCAuthenticatedRequest ejReq = (CVCAuthenticatedRequest) CertificateParser.parseCVCObject(
                renewal(ecKeys(), HolderReference.parse("TWAGENCY100003"), null, fresh));
        ejReq.verify(fresh.getPublic());
        assertThat(ejReq.getAuthorityReference().getConcatenated()).isEqualTo("TWAGENCY100002");

        agencies.revoke(SUPERVISOR, atRecord);
        refused(
                () -> agencies.renew(
                        TERMINAL,
                        renewal(ecKeys(), HolderReference.parse("TWAGENCY100003"), null, fresh),
                        null,
                        online),
                CvException.Code.RECORD_NOT_ACTIVE);
    }

    @Test
    @Order(5)
    void recordsBeyondTheRulesAreRefused() throws Exception {
        KeyPair k = ecKeys();
        byte[] first = CvRequest.create(DV, key(k), HolderReference.parse("TWAGENCY200001"), null, signer(k));
        assertThatThrownBy(() -> record(TerminalType.AT, Set.of(AccessRight.READ_DG1), 32, "AGENCY2"))
                .isInstanceOf(CvException.class);
        assertThatThrownBy(() -> record(TerminalType.AT, Set.of(AccessRight.IS_READ_DG3), 10, "AGENCY2"))
                .isInstanceOf(CvException.class);
        long[] before = counts();
        // A request whose key is on another curve.
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "BC");
        g.initialize(new ECGenParameterSpec("brainpoolP256r1"));
        KeyPair bp = g.generateKeyPair();
        byte[] wrongCurve = CvRequest.create(DV, key(bp), HolderReference.parse("TWAGENCY200001"), null, signer(bp));
        refused(
                () -> agencies.request(
                        OFFICER, record(TerminalType.AT, Set.of(AccessRight.READ_DG1), 10, "AGENCY2"), wrongCurve),
                CvException.Code.WRONG_CURVE);
        refused(
                () -> agencies.request(
                        OFFICER,
                        record(TerminalType.AT, Set.of(AccessRight.READ_DG1), 10, "AGENCY2"),
                        CvRequest.create(
                                DV,
                                key(k),
                                HolderReference.parse("TWAGENCY200001"),
                                new Chat(
                                        TerminalType.AT,
                                        CvRole.TERMINAL,
                                        Set.of(AccessRight.READ_DG1, AccessRight.READ_DG2)),
                                signer(k))),
                CvException.Code.RIGHTS);
        refused(
                () -> agencies.request(
                        OFFICER, record(TerminalType.AT, Set.of(AccessRight.READ_DG1), 10, "OTHER"), first),
                CvException.Code.HOLDER_REFERENCE);
        assertThat(counts()).containsExactly(before);
    }

    @Test
    @Order(6)
    void dvExpiryWarningAndValidityRanges() throws Exception {
        assertThat(authority.dvExpiryWarnings(Period.ofMonths(3)))
                .extracting(CvAuthority.DvExpiry::chr)
                .contains(DV, DV_IS);
        assertThat(authority.dvExpiryWarnings(Period.ofDays(7))).isEmpty();
        long[] before = counts();
        refused(
                () -> authority.certifyDv(
                        CUSTODIANS,
                        offline,
                        CVCA,
                        online,
                        "dv-too-long",
                        HolderReference.parse("TWDVMOI00002"),
                        CvRole.DV_DOMESTIC,
                        Period.ofMonths(3).plusDays(1)),
                CvException.Code.VALIDITY);
        refused(
                () -> authority.createCvca(
                        CUSTODIANS,
                        offline,
                        "cvca-short",
                        HolderReference.parse("TWCVCAX00001"),
                        TerminalType.AT,
                        Period.ofMonths(5)),
                CvException.Code.VALIDITY);
        assertThat(counts()).containsExactly(before);
        assertThat(offline.exists("cvca-short")).isFalse();
        assertThat(online.exists("dv-too-long")).isFalse();
    }

    @Test
    @Order(7)
    void rolloverLinkVerifiesAndTerminalsUnderTheNewCvcaVerifyThroughIt() throws Exception {
        CvAuthority.Rollover r = authority.rollover(CUSTODIANS, offline, CVCA, "cvca-2", Period.ofYears(2));
        assertThat(r.link().body().car()).isEqualTo(CVCA);
        assertThat(r.link().body().chr()).isEqualTo(HolderReference.parse("TWCVCA00002"));
        assertThat(r.link().body().publicKey()).isEqualTo(r.selfSigned().body().publicKey());
        CvCertificate dv2 = authority.certifyDv(
                CUSTODIANS,
                offline,
                HolderReference.parse("TWCVCA00002"),
                online,
                "dv-moi-2",
                HolderReference.parse("TWDVMOI00002"),
                CvRole.DV_DOMESTIC,
                Period.ofMonths(3));
        KeyPair k = ecKeys();
        byte[] first = CvRequest.create(
                HolderReference.parse("TWDVMOI00002"),
                key(k),
                HolderReference.parse("TWAGENCY300001"),
                null,
                signer(k));
        long id = agencies.request(
                OFFICER, record(TerminalType.AT, Set.of(AccessRight.AGE_VERIFICATION), 31, "AGENCY3"), first);
        CvCertificate t = agencies.approve(SUPERVISOR, id, online);
        assertThat(t.body().car()).isEqualTo(HolderReference.parse("TWDVMOI00002"));
        // Only the old CVCA is trusted: the file named TWCVCA00002 is the link certificate.
        Path chain = dir.resolve("rollover");
        OpenPace.store(chain, cvca);
        Path link = OpenPace.store(chain, r.link());
        OpenPace.store(chain, dv2);
        assertThat(OpenPace.print(chain, link)).contains("certificate verified", "[exit 0]");
        assertThat(OpenPace.print(chain, OpenPace.store(chain, t))).contains("certificate verified", "[exit 0]");
        CVCertificate ejLink = CertificateParser.parseCertificate(r.link().encoded());
        ejLink.verify(javaKey(offline.publicKey("cvca-1")), "BC");
        assertThat(authority.trustPoints()).hasSize(4); // two CVCAs (AT, IS), the new CVCA, the link
    }

    // ---- helpers

    private static AgencyRecord record(TerminalType type, Set<AccessRight> rights, int days, String mnemonic) {
        return new AgencyRecord(
                0,
                "Sample Agency",
                "Act 12 art. 3",
                type,
                rights,
                new byte[32],
                description,
                days,
                today().plusMonths(6),
                mnemonic,
                AgencyRecord.Status.REQUESTED,
                "x",
                null);
    }

    private static byte[] renewal(KeyPair newKeys, HolderReference chr, Chat asked, KeyPair current) {
        byte[] inner = CvRequest.create(DV, key(newKeys), chr, asked, signer(newKeys));
        HolderReference outerCar =
                current == atKeys ? HolderReference.parse("TWAGENCY100001") : HolderReference.parse("TWAGENCY100002");
        return CvRequest.authenticate(inner, outerCar, key(current), signer(current));
    }

    private static byte[] brokenInner(KeyPair newKeys, HolderReference chr) {
        byte[] inner = CvRequest.create(DV, key(newKeys), chr, null, signer(newKeys));
        inner[inner.length - 3] ^= 1;
        return inner;
    }

    private static void refused(Runnable act, CvException.Code code) {
        assertThatThrownBy(act::run)
                .isInstanceOf(CvException.class)
                .extracting(e -> ((CvException) e).code())
                .isEqualTo(code);
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

    private static void datesAreBcdAndOrdered(CvCertificate c) {
        Tlv body = Tlv.parse(c.bodyEncoded());
        byte[] eff = body.required(Tlv.EFFECTIVE_DATE).value();
        byte[] exp = body.required(Tlv.EXPIRATION_DATE).value();
        for (byte b : CvCertificate.concat(eff, exp)) {
            assertThat((int) b).isBetween(0, 9);
        }
        assertThat(Arrays.compare(exp, eff)).isGreaterThanOrEqualTo(0);
    }

    private static boolean plainEcdsaVerifies(PublicKey issuer, CvCertificate cert) throws Exception {
        Signature s = Signature.getInstance("SHA256withCVC-ECDSA", "BC");
        s.initVerify(issuer);
        s.update(cert.bodyEncoded());
        return s.verify(cert.signature());
    }

    private static PublicKey javaKey(SubjectPublicKeyInfo spki) throws Exception {
        return new JcaPEMKeyConverter().getPublicKey(spki);
    }

    static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static CvPublicKey key(KeyPair k) {
        return CvPublicKey.of(SubjectPublicKeyInfo.getInstance(k.getPublic().getEncoded()));
    }

    static Supplier<ContentSigner> signer(KeyPair k) {
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
        throw new IllegalArgumentException("not found");
    }

    private static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }
}
