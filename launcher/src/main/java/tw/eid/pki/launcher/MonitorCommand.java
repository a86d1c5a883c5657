package tw.eid.pki.launcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eidpki monitor}: an outside relying party (docs/metrics.md#the-outside-monitor). For each
 * certificate it asks the OCSP responder its AIA names and fetches the CRLs its CRL distribution
 * points name, as any relying party would, and checks what comes back: signatures, that the OCSP
 * signer is the issuer or a delegated responder the issuer certified for OCSP signing (RFC 6960
 * §4.2.2.2) and valid now, the CertID and nonce, and that now lies between thisUpdate and
 * nextUpdate. One line per problem; exit 1 when there is any. With {@code --every} it runs until
 * stopped and exports its own metrics on {@code --admin-port}.
 */
@Command(
        name = "monitor",
        mixinStandardHelpOptions = true,
        description = {
            "Check OCSP answers and CRLs as an outside relying party: one line per problem,",
            "exit 1 if any. With --every it keeps checking and exports its own metrics."
        })
final class MonitorCommand implements Callable<Integer> {
    /** How far a thisUpdate may lie ahead of this machine's clock. */
    static final Duration SKEW = Duration.ofMinutes(5);

    static final int ADMIN_DEFAULT_PORT = 7465;

    @Option(
            names = "--certificate",
            paramLabel = "PEM",
            required = true,
            converter = PathOptions.ExistingFile.class,
            description = "a certificate to check (repeatable)")
    List<Path> certificates;

    @Option(
            names = "--issuer",
            paramLabel = "PEM",
            required = true,
            converter = PathOptions.ExistingFile.class,
            description = "the certificate of a CA that issued them (repeatable)")
    List<Path> issuers;

    @Option(
            names = "--every",
            paramLabel = "SECONDS",
            description = "check again every SECONDS (1 to 86400) until stopped, with /metrics on the admin port")
    Integer every;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            description = "with --every: the admin port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int adminPort = ADMIN_DEFAULT_PORT;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Override
    public Integer call() throws Exception {
        if (every != null && (every < 1 || every > 86_400)) {
            throw new IllegalArgumentException("--every must be 1 to 86400 seconds, not " + every);
        }
        List<X509CertificateHolder> subjects = new ArrayList<>();
        for (Path p : certificates) {
            subjects.add(read(p));
        }
        List<X509CertificateHolder> cas = new ArrayList<>();
        for (Path p : issuers) {
            cas.add(read(p));
        }
        List<X509CertificateHolder[]> pairs = new ArrayList<>();
        for (X509CertificateHolder c : subjects) {
            X509CertificateHolder issuer = cas.stream()
                    .filter(ca -> ca.getSubject().equals(c.getIssuer()) && signedBy(c, ca))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no --issuer signed the certificate "
                            + c.getSerialNumber().toString(16) + " (" + c.getIssuer() + ")"));
            pairs.add(new X509CertificateHolder[] {c, issuer});
        }
        Clock clock = CommandClock.system();
        if (every == null) {
            return round(pairs, clock).isEmpty() ? 0 : 1;
        }
        AdminServer.checkPort("127.0.0.1", adminPort);
        PrometheusMeterRegistry registry = Telemetry.registry();
        Counter rounds = Counter.builder("eidpki.monitor.rounds")
                .description("rounds of checks run")
                .register(Metrics.globalRegistry);
        Counter problems = Counter.builder("eidpki.monitor.problems")
                .description("problems found (one per line printed)")
                .register(Metrics.globalRegistry);
        double[] last = {0};
        Gauge.builder("eidpki.monitor.last.round.problems", last, l -> l[0])
                .description("problems the last round found")
                .register(Metrics.globalRegistry);
        try (ShutdownSignal stop = new ShutdownSignal();
                AdminServer admin = AdminServer.start("127.0.0.1", adminPort, registry, List.of())) {
            System.out.println("Admin: " + admin.url() + " (/metrics, /health/live)");
            do {
                List<String> found = round(pairs, clock);
                rounds.increment();
                problems.increment(found.size());
                last[0] = found.size();
            } while (!stop.await(every, TimeUnit.SECONDS));
        }
        return 0;
    }

    /** One round over every certificate: the problems, each printed as one line. */
    List<String> round(List<X509CertificateHolder[]> pairs, Clock clock) {
        List<String> problems = new ArrayList<>();
        for (X509CertificateHolder[] pair : pairs) {
            problems.addAll(checkOcsp(pair[0], pair[1], clock.instant()));
            problems.addAll(checkCrls(pair[0], pair[1], clock.instant()));
        }
        problems.forEach(System.out::println);
        System.out.flush();
        return problems;
    }

    List<String> checkOcsp(X509CertificateHolder cert, X509CertificateHolder issuer, Instant now) {
        String serial = cert.getSerialNumber().toString(16);
        List<String> urls = ocspUrls(cert);
        if (urls.isEmpty()) {
            return List.of("OCSP " + serial + ": the certificate names no OCSP responder");
        }
        List<String> problems = new ArrayList<>();
        for (String url : urls) {
            String where = "OCSP " + serial + " " + url + ": ";
            try {
                CertificateID id = new CertificateID(
                        new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                        issuer,
                        cert.getSerialNumber());
                byte[] nonce = new byte[16];
                new SecureRandom().nextBytes(nonce);
                OCSPReqBuilder request = new OCSPReqBuilder().addRequest(id);
                request.setRequestExtensions(new Extensions(
                        new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(nonce))));
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(20))
                                .header("Content-Type", "application/ocsp-request")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(
                                        request.build().getEncoded()))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    problems.add(where + "HTTP " + r.statusCode());
                    continue;
                }
                OCSPResp resp = new OCSPResp(r.body());
                if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                    problems.add(where + "response status " + resp.getStatus() + " (not successful)");
                    continue;
                }
                BasicOCSPResp basic = (BasicOCSPResp) resp.getResponseObject();
                String signer = authorizedSigner(basic, issuer, now);
                if (signer != null) {
                    problems.add(where + signer);
                }
                SingleResp single = Arrays.stream(basic.getResponses())
                        .filter(s -> s.getCertID().equals(id))
                        .findFirst()
                        .orElse(null);
                if (single == null) {
                    problems.add(where + "no answer for the CertID asked");
                    continue;
                }
                Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
                if (echoed != null
                        && !Arrays.equals(echoed.getExtnValue().getOctets(), new DEROctetString(nonce).getEncoded())) {
                    problems.add(where + "the nonce is not the one sent");
                }
                String window = window(
                        single.getThisUpdate().toInstant(),
                        single.getNextUpdate() == null
                                ? null
                                : single.getNextUpdate().toInstant(),
                        now);
                if (window != null) {
                    problems.add(where + "response " + window);
                }
            } catch (Exception e) {
                problems.add(where + OneLine.of(e));
            }
        }
        return problems;
    }

    /**
     * Null when the response verifies under the issuer's key, or under a delegated responder's
     * certificate that the issuer signed, with id-kp-OCSPSigning, valid now; else the problem.
     */
    static String authorizedSigner(BasicOCSPResp basic, X509CertificateHolder issuer, Instant now) throws Exception {
        if (basic.isSignatureValid(verifier(issuer))) {
            return null;
        }
        for (X509CertificateHolder c : basic.getCerts()) {
            if (!basic.isSignatureValid(verifier(c))) {
                continue;
            }
            if (!c.getIssuer().equals(issuer.getSubject()) || !c.isSignatureValid(verifier(issuer))) {
                return "signed by " + c.getSubject() + ", whom the issuer did not certify: not authorized";
            }
            ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(c.getExtensions());
            if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)) {
                return "signed by " + c.getSubject() + ", which lacks id-kp-OCSPSigning: not authorized";
            }
            if (!c.isValidOn(Date.from(now))) {
                return "signed by " + c.getSubject() + ", whose certificate is not valid now";
            }
            return null;
        }
        return "the signature verifies under neither the issuer nor a certificate in the response: not authorized";
    }

    List<String> checkCrls(X509CertificateHolder cert, X509CertificateHolder issuer, Instant now) {
        List<String> problems = new ArrayList<>();
        for (String url : crlUrls(cert)) {
            String where = "CRL " + url + ": ";
            try {
                HttpResponse<byte[]> r = http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(60))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200) {
                    problems.add(where + "HTTP " + r.statusCode());
                    continue;
                }
                X509CRL crl = (X509CRL)
                        CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(r.body()));
                if (!crl.getIssuerX500Principal()
                        .equals(new JcaX509CertificateConverter()
                                .getCertificate(issuer)
                                .getSubjectX500Principal())) {
                    problems.add(
                            where + "issued by " + crl.getIssuerX500Principal() + ", not the certificate's issuer");
                    continue;
                }
                try {
                    crl.verify(new JcaX509CertificateConverter()
                            .getCertificate(issuer)
                            .getPublicKey());
                } catch (Exception e) {
                    problems.add(where + "the signature does not verify under the issuer's key");
                    continue;
                }
                String window = window(
                        crl.getThisUpdate().toInstant(),
                        crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant(),
                        now);
                if (window != null) {
                    problems.add(where + window);
                }
            } catch (Exception e) {
                problems.add(where + OneLine.of(e));
            }
        }
        return problems;
    }

    /** Null when thisUpdate <= now (give or take {@link #SKEW}) < nextUpdate; else what is wrong. */
    static String window(Instant thisUpdate, Instant nextUpdate, Instant now) {
        if (thisUpdate.isAfter(now.plus(SKEW))) {
            return "thisUpdate " + thisUpdate + " is in the future (now " + now + ")";
        }
        if (nextUpdate == null) {
            return "has no nextUpdate";
        }
        if (!now.isBefore(nextUpdate)) {
            return "past its nextUpdate " + nextUpdate + " (now " + now + ")";
        }
        return null;
    }

    static List<String> ocspUrls(X509CertificateHolder cert) {
        List<String> out = new ArrayList<>();
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(cert.getExtensions());
        if (aia != null) {
            for (AccessDescription d : aia.getAccessDescriptions()) {
                if (d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    out.add(d.getAccessLocation().getName().toString());
                }
            }
        }
        return out;
    }

    static List<String> crlUrls(X509CertificateHolder cert) {
        List<String> out = new ArrayList<>();
        CRLDistPoint dps = CRLDistPoint.fromExtensions(cert.getExtensions());
        if (dps == null) {
            return out;
        }
        for (DistributionPoint dp : dps.getDistributionPoints()) {
            DistributionPointName name = dp.getDistributionPoint();
            if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                for (GeneralName n : GeneralNames.getInstance(name.getName()).getNames()) {
                    if (n.getTagNo() == GeneralName.uniformResourceIdentifier) {
                        out.add(n.getName().toString());
                    }
                }
            }
        }
        return out;
    }

    private static ContentVerifierProvider verifier(X509CertificateHolder cert) throws Exception {
        return new JcaContentVerifierProviderBuilder().build(cert);
    }

    private static boolean signedBy(X509CertificateHolder cert, X509CertificateHolder ca) {
        try {
            return cert.isSignatureValid(verifier(ca));
        } catch (Exception e) {
            return false;
        }
    }

    private static X509CertificateHolder read(Path pem) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(pem))) {
            Object o = p.readObject();
            if (!(o instanceof X509CertificateHolder c)) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            return c;
        }
    }
}
