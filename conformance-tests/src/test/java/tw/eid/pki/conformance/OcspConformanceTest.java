package tw.eid.pki.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CRLReason;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateRevokedException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tw.eid.pki.ca.profile.RevocationReason;
import tw.eid.pki.ca.store.TestDatabase;
import tw.eid.pki.ocsp.OcspAnswer;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ocsp.OcspResponder;

/**
 * The OCSP responder judged by independent implementations: openssl ocsp (POST and the RFC 5019
 * GET form through curl), GnuTLS ocsptool, the JDK's PKIX OCSP checker and Bouncy Castle's
 * request builder, against two responders on one real store (embedded MariaDB) and one real
 * SoftHSM2 token. Certificates come from ca-core's CitizenIssuer; their status is changed through
 * RevocationService only.
 */
class OcspConformanceTest {
    @RegisterExtension
    static final TestDatabase db = new TestDatabase();

    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    /** Generous bound for a status change to reach both responders (not a latency assertion). */
    static final Duration PROPAGATION_BOUND = Duration.ofSeconds(10);

    static OcspFixture f;
    static OcspFixture.Cert good;
    static OcspFixture.Cert hold;
    static OcspFixture.Cert realTime;
    /** Revoked certificates by the reason openssl prints. */
    static final Map<String, OcspFixture.Cert> revoked = new LinkedHashMap<>();

    static Path unrecorded;
    static Path work;
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    static void setUp() throws Exception {
        work = OcspFixture.workDirectory("ocsp-conformance");
        f = new OcspFixture(db.database(), work);
        good = f.issue("good");
        hold = f.issue("hold");
        realTime = f.issue("real-time");
        Map<String, RevocationReason> reasons = new LinkedHashMap<>();
        reasons.put("keyCompromise", RevocationReason.KEY_COMPROMISE);
        reasons.put("affiliationChanged", RevocationReason.AFFILIATION_CHANGED);
        reasons.put("superseded", RevocationReason.SUPERSEDED);
        reasons.put("cessationOfOperation", RevocationReason.CESSATION_OF_OPERATION);
        for (Map.Entry<String, RevocationReason> r : reasons.entrySet()) {
            OcspFixture.Cert c = f.issue("revoked-" + r.getKey());
            f.revocations.revoke(OcspFixture.SETUP, OcspFixture.CITIZEN_CA, c.serialHex(), r.getValue());
            revoked.put(r.getKey(), c);
        }
        f.revocations.suspend(OcspFixture.SETUP, OcspFixture.CITIZEN_CA, hold.serialHex());
        unrecorded = f.unrecorded("unrecorded");
        assertThat(f.authorities.all())
                .as("OcspAuthorities.load finds the Citizen CA and its signer")
                .hasSize(1);
        assertThat(f.authorities.all().get(0).caName()).isEqualTo(OcspFixture.CITIZEN_CA);
        f.startResponders(2);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    // ------------------------------------------------------------------ 1. openssl ocsp, POST

    @Test
    void opensslPostGoodRevokedHoldUnknown() {
        for (OcspFixture.Responder r : f.responders) {
            assertOpenssl(r, List.of("-cert", good.pem().toString()), good.pem() + ": good", null);
            for (Map.Entry<String, OcspFixture.Cert> e : revoked.entrySet()) {
                assertOpenssl(
                        r,
                        List.of("-cert", e.getValue().pem().toString()),
                        e.getValue().pem() + ": revoked",
                        e.getKey());
            }
            assertOpenssl(r, List.of("-cert", hold.pem().toString()), hold.pem() + ": revoked", "certificateHold");
            assertOpenssl(r, List.of("-cert", unrecorded.toString()), unrecorded + ": unknown", null);
            String serial =
                    "0x" + new BigInteger(120, OcspFixture.RANDOM).setBit(119).toString(16);
            assertOpenssl(r, List.of("-serial", serial), serial + ": unknown", null);
        }
    }

    /** openssl ocsp over POST (with openssl's nonce, which it checks), verifying against root + CA. */
    static String assertOpenssl(OcspFixture.Responder r, List<String> which, String statusLine, String reason) {
        List<String> args = new ArrayList<>(List.of("ocsp", "-issuer", f.caPem.toString()));
        args.addAll(which);
        args.addAll(List.of("-url", r.url(), "-CAfile", f.chainPem.toString()));
        Tools.Result result = openssl(args);
        String out = result.stdout() + result.stderr();
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(out)
                .as(result.describe())
                .contains("Response verify OK")
                .contains(statusLine)
                .doesNotContain("WARNING");
        if (reason != null) {
            assertThat(out).as(result.describe()).contains("Reason: " + reason);
        } else {
            assertThat(out).as(result.describe()).doesNotContain("Reason:");
        }
        return out;
    }

    static Tools.Result openssl(List<String> args) {
        return Tools.run(Tools.prepend("openssl", args.toArray(new String[0])), Map.of(), null, null, TOOL_TIMEOUT);
    }

    // ------------------------------------------------------------------ 2. RFC 5019 GET with curl

    @Test
    void rfc5019GetThroughCurlVerifiedByOpenssl() throws Exception {
        record Candidate(List<String> which, String expected, String reason) {}
        List<Candidate> candidates = new ArrayList<>();
        for (String digest : List.of("-sha1", "-sha256")) {
            candidates.add(new Candidate(List.of(digest, "-cert", good.pem().toString()), good.pem() + ": good", null));
            for (Map.Entry<String, OcspFixture.Cert> e : revoked.entrySet()) {
                candidates.add(new Candidate(
                        List.of(digest, "-cert", e.getValue().pem().toString()),
                        e.getValue().pem() + ": revoked",
                        e.getKey()));
            }
            candidates.add(new Candidate(
                    List.of(digest, "-cert", hold.pem().toString()), hold.pem() + ": revoked", "certificateHold"));
        }
        boolean slash = false;
        boolean plus = false;
        int i = 0;
        for (; i < 200 && (i < candidates.size() || !slash || !plus); i++) {
            Candidate c;
            if (i < candidates.size()) {
                c = candidates.get(i);
            } else {
                String serial = "0x"
                        + new BigInteger(64 + OcspFixture.RANDOM.nextInt(95), OcspFixture.RANDOM)
                                .setBit(63)
                                .toString(16);
                c = new Candidate(
                        List.of(i % 2 == 0 ? "-sha1" : "-sha256", "-serial", serial), serial + ": unknown", null);
            }
            Path req = work.resolve("get-req-" + i + ".der");
            List<String> build = new ArrayList<>(List.of("ocsp", "-issuer", f.caPem.toString()));
            build.addAll(c.which());
            build.addAll(List.of("-reqout", req.toString(), "-no_nonce"));
            Tools.Result built = openssl(build);
            assertThat(built.exitCode()).as(built.describe()).isZero();
            String b64 = Base64.getEncoder().encodeToString(Files.readAllBytes(req));
            slash |= b64.contains("/");
            plus |= b64.contains("+");
            String encoded = b64.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D");
            OcspFixture.Responder r = f.responders.get(i % 2);
            String url = r.url() + "/" + encoded;
            Path resp = work.resolve("get-resp-" + i + ".der");
            Path headers = work.resolve("get-headers-" + i + ".txt");
            Tools.Result got = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-D",
                            headers.toString(),
                            "-o",
                            resp.toString(),
                            "-w",
                            "%{http_code}",
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(got.exitCode()).as(got.describe()).isZero();
            assertThat(got.stdout()).as(url).isEqualTo("200");
            Map<String, String> h = headers(headers);
            assertCachingHeaders(h, url);
            // Clients that do not percent-encode (raw '/', '+', '=' in the path) are answered too.
            Path rawResp = work.resolve("get-raw-resp-" + i + ".der");
            Tools.Result raw = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "--path-as-is",
                            "-o",
                            rawResp.toString(),
                            "-w",
                            "%{http_code}",
                            r.url() + "/" + b64),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(raw.stdout()).as(raw.describe()).isEqualTo("200");
            assertThat(new OCSPResp(Files.readAllBytes(rawResp)).getStatus())
                    .as(raw.describe())
                    .isZero();

            List<String> verify =
                    new ArrayList<>(List.of("ocsp", "-respin", resp.toString(), "-issuer", f.caPem.toString()));
            verify.addAll(c.which());
            verify.addAll(List.of("-CAfile", f.chainPem.toString(), "-no_nonce"));
            Tools.Result checked = openssl(verify);
            String out = checked.stdout() + checked.stderr();
            assertThat(checked.exitCode()).as(checked.describe()).isZero();
            assertThat(out)
                    .as(checked.describe())
                    .contains("Response verify OK")
                    .contains(c.expected());
            if (c.reason() != null) {
                assertThat(out).as(checked.describe()).contains("Reason: " + c.reason());
            }
        }
        assertThat(slash)
                .as("a GET whose base64 holds '/' (sent as %2F) was answered")
                .isTrue();
        assertThat(plus)
                .as("a GET whose base64 holds '+' (sent as %2B) was answered")
                .isTrue();
        System.err.println("RFC 5019 GET: " + i + " requests until '/' and '+' were both covered");
    }

    @Test
    void ifNoneMatchWithTheETagIsNotModified() throws Exception {
        for (OcspFixture.Responder r : f.responders) {
            Path req = work.resolve("etag-req-" + r.port() + ".der");
            Tools.Result built = openssl(List.of(
                    "ocsp",
                    "-issuer",
                    f.caPem.toString(),
                    "-cert",
                    good.pem().toString(),
                    "-reqout",
                    req.toString(),
                    "-no_nonce"));
            assertThat(built.exitCode()).as(built.describe()).isZero();
            String url = r.url() + "/"
                    + Base64.getEncoder()
                            .encodeToString(Files.readAllBytes(req))
                            .replace("+", "%2B")
                            .replace("/", "%2F")
                            .replace("=", "%3D");
            Path headers = work.resolve("etag-headers-" + r.port() + ".txt");
            Tools.Result first = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-D",
                            headers.toString(),
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(first.stdout()).as(first.describe()).isEqualTo("200");
            String etag = headers(headers).get("etag");
            assertThat(etag).isNotBlank();
            Tools.Result again = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "-H",
                            "If-None-Match: " + etag,
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(again.stdout()).as(again.describe()).isEqualTo("304");
            Tools.Result other = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "-H",
                            "If-None-Match: \"0123456789abcdef\"",
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(other.stdout()).as(other.describe()).isEqualTo("200");
        }
    }

    /**
     * RFC 5019 §6.2 caching: while a certificate's status does not change, the responder keeps
     * serving the response it signed (same ETag, so If-None-Match gets 304), also for certificates
     * whose status changed once before the responders started.
     */
    @Test
    void anUnchangedStatusKeepsItsResponse() throws Exception {
        for (OcspFixture.Cert c : List.of(good, revoked.get("keyCompromise"), hold)) {
            OcspFixture.Responder r = f.responders.get(0);
            Path req = work.resolve("stable-req-" + c.name() + ".der");
            Tools.Result built = openssl(List.of(
                    "ocsp",
                    "-issuer",
                    f.caPem.toString(),
                    "-cert",
                    c.pem().toString(),
                    "-reqout",
                    req.toString(),
                    "-no_nonce"));
            assertThat(built.exitCode()).as(built.describe()).isZero();
            String url = r.url() + "/"
                    + Base64.getEncoder()
                            .encodeToString(Files.readAllBytes(req))
                            .replace("+", "%2B")
                            .replace("/", "%2F")
                            .replace("=", "%3D");
            Path headers = work.resolve("stable-headers-" + c.name() + ".txt");
            Tools.Result first = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-D",
                            headers.toString(),
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(first.stdout()).as(first.describe()).isEqualTo("200");
            String etag = headers(headers).get("etag");
            // Several reads of the status change log (every 200 ms), none naming this certificate anew.
            Thread.sleep(1_000);
            Tools.Result again = Tools.run(
                    List.of(
                            "curl",
                            "-sS",
                            "--max-time",
                            "30",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "-H",
                            "If-None-Match: " + etag,
                            url),
                    Map.of(),
                    null,
                    null,
                    TOOL_TIMEOUT);
            assertThat(again.stdout())
                    .as("%s: If-None-Match %s a second later", c.name(), etag)
                    .isEqualTo("304");
        }
    }

    /** The response headers of the last response in a curl -D file, names lower-cased. */
    static Map<String, String> headers(Path file) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            int colon = line.indexOf(':');
            if (line.startsWith("HTTP/")) {
                out.clear();
            } else if (colon > 0) {
                out.put(
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    static void assertCachingHeaders(Map<String, String> h, String url) {
        assertThat(h.get("content-type")).as(url).isEqualTo("application/ocsp-response");
        assertThat(h.get("etag")).as(url).isNotBlank();
        String cacheControl = h.get("cache-control");
        assertThat(cacheControl).as(url).isNotNull();
        Matcher m = Pattern.compile("max-age=(\\d+)").matcher(cacheControl);
        assertThat(m.find()).as(cacheControl).isTrue();
        long maxAge = Long.parseLong(m.group(1));
        assertThat(maxAge).as(cacheControl).isBetween(0L, 60L);
        Instant now = TestTime.now();
        Instant lastModified = httpDate(h.get("last-modified"), url);
        Instant expires = httpDate(h.get("expires"), url);
        assertThat(lastModified).as("Last-Modified").isBefore(now.plusSeconds(2));
        assertThat(expires).as("Expires").isAfterOrEqualTo(lastModified).isBefore(now.plusSeconds(62));
    }

    static Instant httpDate(String value, String url) {
        assertThat(value).as(url).isNotNull();
        return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    }

    // ------------------------------------------------------------------ 3. GnuTLS ocsptool

    @Test
    void gnutlsOcsptoolAgrees() {
        for (OcspFixture.Responder r : f.responders) {
            assertOcsptool(r, good.pem(), "good");
            assertOcsptool(r, revoked.get("keyCompromise").pem(), "revoked");
            assertOcsptool(r, hold.pem(), "revoked");
        }
    }

    /** ocsptool --ask, once without and once with a nonce; the response verified against root + CA. */
    static void assertOcsptool(OcspFixture.Responder r, Path cert, String status) {
        for (boolean nonce : new boolean[] {false, true}) {
            List<String> command = new ArrayList<>(List.of(
                    "ocsptool",
                    "--ask=" + r.url(),
                    "--load-issuer",
                    f.caPem.toString(),
                    "--load-cert",
                    cert.toString(),
                    "--load-trust",
                    f.chainPem.toString()));
            if (nonce) {
                command.add("--nonce");
            }
            Tools.Result result = Tools.run(command, Map.of(), null, null, TOOL_TIMEOUT);
            String out = result.stdout() + result.stderr();
            assertThat(result.exitCode()).as(result.describe()).isZero();
            assertThat(out)
                    .as(result.describe())
                    .contains("Response Status: Successful")
                    .contains("Certificate Status: " + status)
                    .contains("Verifying OCSP Response: Success.")
                    .doesNotContain("Nonce mismatch");
            if (nonce) {
                assertThat(out).as(result.describe()).contains("Nonce:");
            }
        }
    }

    // ------------------------------------------------------------------ 4. the JDK's PKIX OCSP checker

    @Test
    void jdkPkixRevocationChecker() throws Exception {
        // JDK 17's checker judges the responder's certificate at the real time even when
        // PKIXParameters.setDate is given (seen in a run pinned to 2028: CertificateNotYetValid
        // for a signer made an hour before the pinned instant), so it cannot judge a pinned run.
        // openssl and GnuTLS judge the same responses in that run (sections 1-3).
        assumeFalse(TestTime.pinned(), "the JDK's OCSP checker reads the real clock");
        for (OcspFixture.Responder r : f.responders) {
            validate(good.holder(), r);
            OcspFixture.Cert kc = revoked.get("keyCompromise");
            assertThatThrownBy(() -> validate(kc.holder(), r))
                    .isInstanceOfSatisfying(CertPathValidatorException.class, e -> {
                        assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED);
                        assertThat(e.getCause()).isInstanceOf(CertificateRevokedException.class);
                        assertThat(((CertificateRevokedException) e.getCause()).getRevocationReason())
                                .isEqualTo(CRLReason.KEY_COMPROMISE);
                    });
            assertThatThrownBy(() -> validate(hold.holder(), r))
                    .isInstanceOfSatisfying(CertPathValidatorException.class, e -> {
                        assertThat(e.getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED);
                        assertThat(((CertificateRevokedException) e.getCause()).getRevocationReason())
                                .isEqualTo(CRLReason.CERTIFICATE_HOLD);
                    });
        }
    }

    static void validate(X509CertificateHolder leaf, OcspFixture.Responder r) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        CertPath path = cf.generateCertPath(List.of(jdk(leaf), jdk(f.citizenCa)));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        checker.setOcspResponder(URI.create(r.url()));
        checker.setOptions(
                EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY, PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(jdk(f.root), null)));
        params.addCertPathChecker(checker);
        params.setDate(Date.from(TestTime.now()));
        params.setRevocationEnabled(true);
        validator.validate(path, params);
    }

    static X509Certificate jdk(X509CertificateHolder h) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    // ------------------------------------------------------------------ 5. status changes on two responders

    @Test
    void suspendAndResumeReachBothResponders() throws Exception {
        List<String> which = List.of("-cert", realTime.pem().toString(), "-no_nonce");
        for (OcspFixture.Responder r : f.responders) {
            // Without a nonce the answer is cached: the change must drop it.
            assertOpenssl(r, which, realTime.pem() + ": good", null);
            assertOpenssl(r, which, realTime.pem() + ": good", null);
        }
        f.revocations.suspend(OcspFixture.SETUP, OcspFixture.CITIZEN_CA, realTime.serialHex());
        for (OcspFixture.Responder r : f.responders) {
            awaitStatus(r, which, realTime.pem() + ": revoked", "certificateHold");
        }
        f.revocations.resume(OcspFixture.SETUP, OcspFixture.CITIZEN_CA, realTime.serialHex());
        for (OcspFixture.Responder r : f.responders) {
            awaitStatus(r, which, realTime.pem() + ": good", null);
        }
    }

    static void awaitStatus(OcspFixture.Responder r, List<String> which, String statusLine, String reason)
            throws InterruptedException {
        long deadline = System.nanoTime() + PROPAGATION_BOUND.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            List<String> args = new ArrayList<>(List.of("ocsp", "-issuer", f.caPem.toString()));
            args.addAll(which);
            args.addAll(List.of("-url", r.url(), "-CAfile", f.chainPem.toString()));
            Tools.Result result = openssl(args);
            last = result.stdout() + result.stderr();
            if (last.contains(statusLine) && (reason == null || last.contains("Reason: " + reason))) {
                assertThat(last).contains("Response verify OK");
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("responder on port " + r.port() + " did not answer '" + statusLine + "' within "
                + PROPAGATION_BOUND + "; last answer:\n" + last);
    }

    // ------------------------------------------------------------------ 6. RFC 9654 nonces

    @Test
    void noncesOfOneToOneHundredTwentyEightOctetsAreEchoedOthersMalformed() throws Exception {
        OcspFixture.Responder r = f.responders.get(0);
        for (int length : new int[] {1, 32, 128}) {
            byte[] nonce = new byte[length];
            OcspFixture.RANDOM.nextBytes(nonce);
            byte[] extnValue = new DEROctetString(nonce).getEncoded();
            OCSPResp resp = post(r, request(extnValue, good.serial()));
            assertThat(resp.getStatus()).as("nonce of %d octets", length).isZero();
            BasicOCSPResp basic = verified(resp);
            Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            assertThat(echoed).as("nonce of %d octets echoed", length).isNotNull();
            assertThat(echoed.getExtnValue().getOctets()).isEqualTo(extnValue);
            assertThat(basic.getResponses()[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        }
        for (int length : new int[] {0, 129}) {
            byte[] extnValue = new DEROctetString(new byte[length]).getEncoded();
            OCSPResp resp = post(r, request(extnValue, good.serial()));
            assertThat(resp.getStatus()).as("nonce of %d octets", length).isEqualTo(1);
        }
    }

    static byte[] request(byte[] nonceExtnValue, BigInteger... serials) throws Exception {
        OCSPReqBuilder b = new OCSPReqBuilder();
        for (BigInteger s : serials) {
            b.addRequest(new CertificateID(sha1(), f.citizenCa, s));
        }
        if (nonceExtnValue != null) {
            b.setRequestExtensions(
                    new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, nonceExtnValue)));
        }
        return b.build().getEncoded();
    }

    static DigestCalculator sha1() throws Exception {
        return new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1);
    }

    static OCSPResp post(OcspFixture.Responder r, byte[] body) throws Exception {
        HttpResponse<byte[]> resp = postRaw(r, "application/ocsp-request", body);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).contains("application/ocsp-response");
        return new OCSPResp(resp.body());
    }

    static HttpResponse<byte[]> postRaw(OcspFixture.Responder r, String contentType, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(r.url()))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The basic response, its signature checked with the delegated signer's key, which it carries. */
    static BasicOCSPResp verified(OCSPResp resp) throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
        assertThat(basic.getCerts()).containsExactly(f.signer);
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(f.signer)))
                .isTrue();
        return basic;
    }

    // ------------------------------------------------------------------ 7. never-issued serials

    @Test
    void hundredThousandNeverIssuedSerialsAreNeverGood() throws Exception {
        OcspResponder bulk = new OcspResponder(
                f.database,
                f.token,
                f.authorities,
                OcspConfig.defaults().withLiveSignaturesPerSecond(1_000_000),
                f.clock);
        int total = 100_000;
        int perRequest = bulk.config().maxCertIds();
        assertThat(perRequest).isEqualTo(20);
        Set<BigInteger> issued = new HashSet<>();
        for (OcspFixture.Cert c : f.certs.values()) {
            issued.add(c.serial());
        }
        CertificateID sha1Template = new CertificateID(sha1(), f.citizenCa, BigInteger.ONE);
        CertificateID sha256Template = new CertificateID(
                new JcaDigestCalculatorProviderBuilder()
                        .build()
                        .get(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                                org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
                f.citizenCa,
                BigInteger.ONE);
        AtomicInteger nextRequest = new AtomicInteger();
        int requests = total / perRequest;
        AtomicLong singles = new AtomicLong();
        AtomicLong goodAnswers = new AtomicLong();
        AtomicLong unknownAnswers = new AtomicLong();
        AtomicLong otherAnswers = new AtomicLong();
        AtomicLong tryLater = new AtomicLong();
        AtomicLong signaturesChecked = new AtomicLong();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    java.util.Random random = java.util.concurrent.ThreadLocalRandom.current();
                    int n;
                    while ((n = nextRequest.getAndIncrement()) < requests) {
                        CertificateID template = n % 2 == 0 ? sha1Template : sha256Template;
                        OCSPReqBuilder b = new OCSPReqBuilder();
                        List<BigInteger> serials = new ArrayList<>();
                        for (int k = 0; k < perRequest; k++) {
                            BigInteger s;
                            do {
                                // The store's serial sizes (up to 128 bits) and the longest ours can be (159),
                                // short ones, and a few of 160-200 bits that no certificate of ours carries.
                                int bits = switch (random.nextInt(5)) {
                                    case 0 -> 1 + random.nextInt(64);
                                    case 1 -> 121 + random.nextInt(8);
                                    case 2 -> 65 + random.nextInt(94);
                                    case 3 -> 159;
                                    default -> random.nextInt(8) == 0 ? 160 + random.nextInt(41) : 159;
                                };
                                s = new BigInteger(bits, random);
                            } while (s.signum() == 0 || issued.contains(s));
                            serials.add(s);
                            b.addRequest(CertificateID.deriveCertificateID(template, s));
                        }
                        byte[] der = b.build().getEncoded();
                        OcspAnswer answer = bulk.respond(der);
                        while (answer.responseStatus() == 3) {
                            tryLater.incrementAndGet();
                            Thread.sleep(5);
                            answer = bulk.respond(der);
                        }
                        assertThat(answer.responseStatus()).isZero();
                        OCSPResp resp = new OCSPResp(answer.der());
                        BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
                        if (n % 250 == 0) {
                            verified(resp);
                            signaturesChecked.incrementAndGet();
                        }
                        SingleResp[] answers = basic.getResponses();
                        assertThat(answers).hasSize(perRequest);
                        for (int k = 0; k < answers.length; k++) {
                            assertThat(answers[k].getCertID().getSerialNumber()).isEqualTo(serials.get(k));
                            assertThat(answers[k].getCertID().getHashAlgOID()).isEqualTo(template.getHashAlgOID());
                            singles.incrementAndGet();
                            CertificateStatus status = answers[k].getCertStatus();
                            if (status == CertificateStatus.GOOD) {
                                goodAnswers.incrementAndGet();
                            } else if (status instanceof UnknownStatus) {
                                unknownAnswers.incrementAndGet();
                            } else {
                                otherAnswers.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> fut : futures) {
                fut.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.printf(
                Locale.ROOT,
                "never-issued serials: %d CertIDs in %d requests, %.1f s, %d tryLater retries%n",
                singles.get(),
                requests,
                seconds,
                tryLater.get());
        assertThat(singles.get()).isEqualTo(total);
        assertThat(goodAnswers.get())
                .as("good answers for never-issued serials")
                .isZero();
        assertThat(otherAnswers.get())
                .as("revoked answers (unknownAsRevoked is off)")
                .isZero();
        assertThat(unknownAnswers.get()).isEqualTo(total);
        assertThat(signaturesChecked.get()).isPositive();
    }

    // ------------------------------------------------------------------ 8. other answers

    @Test
    void aCaWeDoNotServeIsUnauthorized() throws Exception {
        OcspFixture.Responder r = f.responders.get(0);
        // openssl: the Citizen CA's own status, asked of its issuer, the offline root.
        Tools.Result result = openssl(List.of(
                "ocsp",
                "-issuer",
                f.rootPem.toString(),
                "-cert",
                f.caPem.toString(),
                "-url",
                r.url(),
                "-CAfile",
                f.chainPem.toString()));
        assertThat(result.stdout() + result.stderr()).as(result.describe()).contains("unauthorized (6)");
        // Bouncy Castle: a CertID under the root.
        OCSPReqBuilder b = new OCSPReqBuilder();
        b.addRequest(new CertificateID(sha1(), f.root, f.citizenCa.getSerialNumber()));
        assertThat(post(r, b.build().getEncoded()).getStatus()).isEqualTo(6);
        // A request mixing a CertID of ours with one under the root.
        b = new OCSPReqBuilder();
        b.addRequest(new CertificateID(sha1(), f.citizenCa, good.serial()));
        b.addRequest(new CertificateID(sha1(), f.root, f.citizenCa.getSerialNumber()));
        assertThat(post(r, b.build().getEncoded()).getStatus()).isEqualTo(6);
    }

    @Test
    void garbageAndTrailingBytesAreMalformed() throws Exception {
        OcspFixture.Responder r = f.responders.get(0);
        byte[] garbage = new byte[200];
        OcspFixture.RANDOM.nextBytes(garbage);
        assertThat(post(r, garbage).getStatus()).isEqualTo(1);
        assertThat(post(r, "not an OCSP request".getBytes()).getStatus()).isEqualTo(1);
        byte[] valid = request(null, good.serial());
        assertThat(post(r, valid).getStatus())
                .as("the same request without trailing bytes")
                .isZero();
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertThat(post(r, trailing).getStatus()).isEqualTo(1);
        byte[] truncated = Arrays.copyOf(valid, valid.length - 1);
        assertThat(post(r, truncated).getStatus()).isEqualTo(1);
        // GET: a path that is not base64, and base64 of garbage.
        for (String path : List.of(
                "!!!not-base64!!!",
                Base64.getEncoder()
                        .encodeToString(garbage)
                        .replace("+", "%2B")
                        .replace("/", "%2F")
                        .replace("=", "%3D"))) {
            HttpResponse<byte[]> resp = HTTP.send(
                    HttpRequest.newBuilder(URI.create(r.url() + "/" + path))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(resp.statusCode()).as(path).isEqualTo(200);
            assertThat(new OCSPResp(resp.body()).getStatus()).as(path).isEqualTo(1);
        }
        // More CertIDs than the limit.
        BigInteger[] many = new BigInteger[21];
        Arrays.fill(many, good.serial());
        assertThat(post(r, request(null, many)).getStatus()).isEqualTo(1);
    }

    @Test
    void postOfAnotherContentTypeIs415() throws Exception {
        OcspFixture.Responder r = f.responders.get(0);
        byte[] valid = request(null, good.serial());
        HttpResponse<byte[]> resp = postRaw(r, "text/plain", valid);
        assertThat(resp.statusCode()).isEqualTo(415);
        Path body = work.resolve("text-plain-req.der");
        Files.write(body, valid);
        Tools.Result curl = Tools.run(
                List.of(
                        "curl",
                        "-sS",
                        "--max-time",
                        "30",
                        "-o",
                        "/dev/null",
                        "-w",
                        "%{http_code}",
                        "-H",
                        "Content-Type: text/plain",
                        "--data-binary",
                        "@" + body,
                        r.url()),
                Map.of(),
                null,
                null,
                TOOL_TIMEOUT);
        assertThat(curl.stdout()).as(curl.describe()).isEqualTo("415");
        // The same body as application/ocsp-request is answered.
        assertThat(post(r, valid).getStatus()).isZero();
    }

    @Test
    void severalCertIdsGetOneAnswerEach() throws Exception {
        OcspFixture.Responder r = f.responders.get(1);
        String serial =
                "0x" + new BigInteger(100, OcspFixture.RANDOM).setBit(99).toString(16);
        Tools.Result result = openssl(List.of(
                "ocsp",
                "-issuer",
                f.caPem.toString(),
                "-cert",
                good.pem().toString(),
                "-cert",
                revoked.get("superseded").pem().toString(),
                "-cert",
                hold.pem().toString(),
                "-serial",
                serial,
                "-url",
                r.url(),
                "-CAfile",
                f.chainPem.toString()));
        String out = result.stdout() + result.stderr();
        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(out)
                .as(result.describe())
                .contains("Response verify OK")
                .contains(good.pem() + ": good")
                .contains(revoked.get("superseded").pem() + ": revoked")
                .contains("Reason: superseded")
                .contains(hold.pem() + ": revoked")
                .contains("Reason: certificateHold")
                .contains(serial + ": unknown");

        BigInteger unknownSerial = new BigInteger(serial.substring(2), 16);
        OCSPResp resp = post(
                r, request(null, good.serial(), revoked.get("keyCompromise").serial(), unknownSerial, hold.serial()));
        assertThat(resp.getStatus()).isZero();
        SingleResp[] answers = verified(resp).getResponses();
        assertThat(answers).hasSize(4);
        assertThat(answers[0].getCertID().getSerialNumber()).isEqualTo(good.serial());
        assertThat(answers[0].getCertStatus()).isEqualTo(CertificateStatus.GOOD);
        assertThat(answers[1].getCertID().getSerialNumber())
                .isEqualTo(revoked.get("keyCompromise").serial());
        assertThat(answers[1].getCertStatus())
                .isInstanceOfSatisfying(
                        RevokedStatus.class,
                        s -> assertThat(s.getRevocationReason())
                                .isEqualTo(org.bouncycastle.asn1.x509.CRLReason.keyCompromise));
        assertThat(answers[2].getCertID().getSerialNumber()).isEqualTo(unknownSerial);
        assertThat(answers[2].getCertStatus()).isInstanceOf(UnknownStatus.class);
        assertThat(answers[3].getCertID().getSerialNumber()).isEqualTo(hold.serial());
        assertThat(answers[3].getCertStatus())
                .isInstanceOfSatisfying(
                        RevokedStatus.class,
                        s -> assertThat(s.getRevocationReason())
                                .isEqualTo(org.bouncycastle.asn1.x509.CRLReason.certificateHold));
    }
}
