package tw.eid.pki.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tw.eid.pki.ca.ceremony.CeremonyException;
import tw.eid.pki.crl.CrlConfig;
import tw.eid.pki.hsm.KeyAlgorithm;
import tw.eid.pki.hsm.Token;
import tw.eid.pki.hsm.TokenConfig;
import tw.eid.pki.hsm.TokenInitializer;
import tw.eid.pki.ocsp.OcspAuthorities;
import tw.eid.pki.ocsp.OcspConfig;
import tw.eid.pki.ra.RaConfig;
import tw.eid.pki.ra.RaServer;

/**
 * The demo (issue 3): runs the initial ceremony into the data directory with three demo custodians
 * (2 of 3), activates the online token, verifies the audit trail and prints the chains; issues demo
 * operator certificates (officer, supervisor, auditor, personalization) under {@code DATA/demo/};
 * starts the RA API; registers a sample card over HTTPS as the officer; makes two "chip" keys in a
 * second SoftHSM2 token (standing in for the citizen's card) and submits their CSRs as the
 * personalization line; checks the certificates with openssl; starts the OCSP responder and checks the
 * sample certificate with {@code openssl ocsp}; prints curl commands; and serves until interrupted. A second run on the same data directory reuses what exists and serves again.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the demo: the key ceremony into the data directory (2-of-3 demo custodians, once), demo",
            "operator certificates under DATA/demo/, the RA API, a sample card with two certificates from on-chip",
            "keys, the OCSP responder, and curl and openssl commands to try; then serve until Ctrl-C. Re-running",
            "reuses what exists."
        })
final class DemoCommand implements Callable<Integer> {
    static final List<String> CUSTODIANS = List.of("alice", "bob", "carol");
    /** The second SoftHSM2 token: the citizen's card in the demo. */
    static final String CHIP_TOKEN = "demo-chip";

    static final String CARD_NUMBER = "TW00000001";
    static final String CHIP_UID = "04a1b2c3d4e5f6";
    /** A made-up holder: the check digit is valid, the person is not real. */
    static final String NATIONAL_ID = "A123456789";

    static final String HOLDER_NAME = "王小明";
    /** The sample holder's birth date, sealed with the name (issue 24: it is printed on the temporary certificate). */
    static final String BIRTH_DATE = "1985-07-14";

    static final String OFFICER = "demo-officer";
    static final String SUPERVISOR = "demo-supervisor";
    static final String AUDITOR = "demo-auditor";
    static final String PERSONALIZATION = "demo-personalization";
    private static final String[][] OPERATORS = {
        {OFFICER, "officer", "Daan District Household Registration Office"},
        {SUPERVISOR, "supervisor", "Daan District Household Registration Office"},
        {AUDITOR, "auditor", "Ministry of the Interior Internal Audit"},
        {PERSONALIZATION, "personalization", "Card Personalization Line 1"},
    };
    /** Profile name -> the chip key's label, in the order of issuance. */
    private static final Map<String, String> CHIP_KEYS = new LinkedHashMap<>();

    static {
        CHIP_KEYS.put("citizen-signature", "chip-signature-key");
        CHIP_KEYS.put("citizen-encryption", "chip-encryption-key");
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--port", description = "the RA API's TLS port (default: ${DEFAULT-VALUE})")
    int port = RaConfig.DEFAULT_PORT;

    @Option(
            names = "--ocsp-port",
            description = "the OCSP responder's HTTP port (default: ${DEFAULT-VALUE}, the port"
                    + " the demo certificates' AIA names)")
    int ocspPort = ServeCommand.OCSP_DEFAULT_PORT;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            description = "the admin port on 127.0.0.1 (/metrics, /health/live, /health/ready), 0 for any"
                    + " free one (default: ${DEFAULT-VALUE}; docs/metrics.md)")
    int adminPort = AdminServer.DEMO_DEFAULT_PORT;

    @Option(
            names = "--setup-only",
            description = "run the ceremony (first time) and issue the demo operators, then exit without"
                    + " serving; bin/cluster uses it before starting the cluster's services")
    boolean setupOnly;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        // Before the ceremony makes tokens: a port that can never be bound is refused first.
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, not " + port);
        }
        if (ocspPort < 0 || ocspPort > 65535) {
            throw new IllegalArgumentException("--ocsp-port must be 0 to 65535, not " + ocspPort);
        }
        if (!setupOnly) {
            AdminServer.checkPort("127.0.0.1", adminPort, port, ocspPort);
            Telemetry.registry();
        }
        if (CommandClock.pinned()) {
            System.out.println(
                    "TEST CLOCK: the demo's own checks run under " + String.join(" ", CommandClock.toolPrefix())
                            + "; run the printed openssl and curl commands the same way (apt-get install faketime)");
        }
        Path data = store.dataDir();
        Path out = data.resolve("ceremony/initial");
        Path demo = data.resolve("demo");
        boolean fresh = !Files.isDirectory(out);
        if (fresh && (Files.exists(data.resolve("db")) || Files.exists(data.resolve("custody")))) {
            throw new CeremonyException(data + " holds an unfinished demo: remove it to start over");
        }
        ownerOnlyDirectory(demo);
        // Before anything loads the PKCS#11 library in this JVM: SoftHSM2 shows a process only the
        // tokens that existed when it was loaded.
        ensureChipToken(demo);
        if (fresh) {
            runCeremony(data);
        } else {
            System.out.println("the demo ceremony already ran in " + data + " (remove it to start over)");
        }
        int rc = EidPki.execute(
                concat(List.of("activate", "--token-label", "eid-online"), custodianArgs(data), storeArgs(data)));
        if (rc != 0) {
            return rc;
        }
        rc = EidPki.execute(concat(List.of("audit", "verify"), storeArgs(data)));
        if (rc != 0) {
            return rc;
        }
        printChains(out);
        System.out.println();
        for (String[] op : OPERATORS) {
            if (Files.exists(demo.resolve(op[0] + ".p12"))) {
                System.out.println("operator " + op[0] + " (" + op[1] + "): " + show(demo.resolve(op[0]))
                        + ".{p12,pem,key.pem} exist");
                continue;
            }
            rc = EidPki.execute(concat(
                    List.of(
                            "operator",
                            "issue",
                            "--id",
                            op[0],
                            "--office",
                            op[2],
                            "--role",
                            op[1],
                            "--out",
                            demo.toString()),
                    custodianArgs(data),
                    storeArgs(data)));
            if (rc != 0) {
                return rc;
            }
        }
        rc = ensureSealSigners(data);
        if (rc != 0) {
            return rc;
        }
        Path trust = demo.resolve("trust.pem");
        Files.writeString(
                trust,
                Files.readString(out.resolve("ra-operators-ca.pem"))
                        + Files.readString(out.resolve("citizen-root.pem")));
        if (setupOnly) {
            System.out.println("demo set up in " + data + " (--setup-only: not serving)");
            return 0;
        }
        return serve(data, out, demo, trust);
    }

    /**
     * The RA API and the OCSP responder in this process (the embedded database is free now), the
     * card, the certificates, then serving.
     */
    private int serve(Path data, Path out, Path demo, Path trust) throws Exception {
        Clock clock = CommandClock.system();
        OnlineCustodianOptions custodians = new OnlineCustodianOptions();
        custodians.custodians = custodianSpecs(data);
        try (ShutdownSignal stop = new ShutdownSignal();
                StoreOptions.Store s = store.open();
                Token token = custodians.open(data, clock);
                RaService ra =
                        RaService.start(s, token, data, "127.0.0.1", port, List.of("localhost", "127.0.0.1"), clock);
                CrlService crl = CrlService.withoutServer(
                        s.database(), token, CrlConfig.defaults().withDirectory(data.resolve("published")), clock);
                OcspService ocsp = startOcsp(s, token, clock, crl);
                CrlService crlAlone = ocsp == null
                        ? CrlService.start(
                                s.database(),
                                token,
                                CrlConfig.defaults().withDirectory(data.resolve("published")),
                                "127.0.0.1",
                                ocspPort,
                                clock)
                        : null;
                OperationalGauges gauges = new OperationalGauges(s.database(), clock)
                        .withPresignBacklog(() -> ocsp == null ? List.of() : ocsp.caNames())
                        .withRa(RaService.documentSigners(s, clock))
                        .start();
                AdminServer admin = ServeCommand.startAdmin(
                        "127.0.0.1",
                        adminPort,
                        token,
                        s,
                        List.of(
                                new AdminServer.Check(
                                        "ocsp-signer", () -> ocsp == null ? "no OCSP signer" : ocsp.signerMissing()),
                                new AdminServer.Check("crls", () -> (ocsp != null ? crl : crlAlone).crlsMissing())))) {
            String api = ra.url();
            System.out.println();
            System.out.println("RA API started: " + api + " (client certificates of the RA Operators CA only)");
            printConsole(api, out, demo);
            if (ocsp != null) {
                System.out.println(
                        "OCSP responder started: " + ocsp.url() + " for " + String.join(", ", ocsp.describe()));
            }
            String crlBase = "http://127.0.0.1:" + ocspPort + "/crl/";
            System.out.println(
                    "CRL publisher started: " + crlBase + " (also written to " + show(data.resolve("published"))
                            + "); a status change reaches the partition's delta CRL within about 10 s");

            HttpClient officer = client(demo, OFFICER, trust);
            JsonNode card = ensureCard(officer, api);
            String chipUid = card.path("chipUid").asText(CHIP_UID);

            HttpClient line = client(demo, PERSONALIZATION, trust);
            Map<String, String> serials = new LinkedHashMap<>();
            Token chip = null;
            try {
                for (Map.Entry<String, String> e : CHIP_KEYS.entrySet()) {
                    String profile = e.getKey();
                    Path pem = demo.resolve(profile + ".pem");
                    String known = certificateOf(card, profile);
                    if (!Files.exists(pem) && known != null) {
                        fetch(officer, api, known, pem);
                    } else if (!Files.exists(pem)) {
                        if (chip == null) {
                            chip = Token.open(
                                    TokenConfig.of(TokenConfig.SOFTHSM2_LIBRARY, CHIP_TOKEN), chipPin(demo), clock);
                        }
                        issue(line, api, chip, e.getValue(), profile, chipUid, demo);
                    }
                    X509CertificateHolder cert = readCertificate(pem);
                    serials.put(profile, cert.getSerialNumber().toString(16));
                    System.out.println(profile + ": serial "
                            + cert.getSerialNumber().toString(16) + ", " + show(pem) + " (" + cert.getSubject() + ")");
                }
            } finally {
                if (chip != null) {
                    chip.close();
                }
            }

            String[] verify = {
                "openssl",
                "verify",
                "-x509_strict",
                "-CAfile",
                rel(out.resolve("citizen-root.pem")),
                "-untrusted",
                rel(out.resolve("citizen-ca.pem")),
                rel(demo.resolve("citizen-signature.pem")),
                rel(demo.resolve("citizen-encryption.pem"))
            };
            System.out.println();
            System.out.println("The citizen certificates chain up to the Citizen Root CA:");
            System.out.println("  " + printable(verify));
            System.out.println("    -> " + run(verify));
            if (ocsp != null) {
                printOcspChecks(ocsp, out, demo, trust);
            }
            CvDemo.run(
                    data, demo, s, token, custodianSpecs(data), officer, client(demo, SUPERVISOR, trust), api, clock);
            TemporaryCertificateDemo.run(demo, officer, api, ocsp == null ? null : "http://127.0.0.1:" + ocspPort);
            printCurls(api, demo, trust, serials.get("citizen-signature"));
            printCrlChecks(crlBase, out, demo);
            System.out.println();
            System.out.println("Admin: " + admin.url() + " (/metrics, /health/live, /health/ready)");
            // Announce serving only once a relying party following any CRL DP or the OCSP URL gets an answer.
            if (!admin.awaitReady(Duration.ofMinutes(2))) {
                System.out.println("not ready after 2 minutes: " + String.join("; ", admin.notReady()));
            }
            System.out.println(
                    "Serving the RA API on " + api + (ocsp != null ? " and the OCSP responder on " + ocsp.url() : "")
                            + " and CRLs on " + crlBase + " until Ctrl-C.");
            System.out.flush();
            return ra.serveUntil(stop);
        }
    }

    /**
     * The OCSP responder for the CAs that have a delegated signer; null (and a note) if none has a
     * valid one, e.g. a data directory whose 30-day signer certificates have expired: the RA API
     * still runs.
     */
    /** How a relying party fetches and checks the sample certificate's partition CRL (printed, for the reader to run). */
    private static void printCrlChecks(String crlBase, Path out, Path demo) throws IOException {
        X509CertificateHolder cert = readCertificate(demo.resolve("citizen-signature.pem"));
        String dp = new String(
                        cert.getExtension(Extension.cRLDistributionPoints)
                                .getExtnValue()
                                .getOctets(),
                        StandardCharsets.ISO_8859_1)
                .replaceAll("(?s).*(/crl/[A-Za-z0-9/_.-]+\\.crl).*", "$1");
        String url = crlBase.substring(0, crlBase.length() - "/crl/".length()) + dp;
        System.out.println();
        System.out.println(
                "The sample certificate's CRL (its CRL DP), its delta, and a check with both (run after ~10 s):");
        System.out.println(
                "  curl -s " + url + " -o full.crl && curl -s " + url.replace(".crl", "-delta.crl") + " -o delta.crl");
        System.out.println("  openssl crl -inform DER -in full.crl -CAfile " + rel(out.resolve("citizen-ca.pem"))
                + " -noout -text");
        System.out.println(
                "  openssl crl -inform DER -in full.crl -out full.pem && openssl crl -inform DER -in delta.crl"
                        + " -out delta.pem && openssl verify -crl_check -use_deltas -CRLfile full.pem -CRLfile delta.pem -CAfile "
                        + rel(demo.resolve("citizen-chain.pem")) + " " + rel(demo.resolve("citizen-signature.pem")));
    }

    private OcspService startOcsp(StoreOptions.Store s, Token token, Clock clock, CrlService crl) throws Exception {
        OcspAuthorities authorities = OcspAuthorities.load(s.database(), clock.instant());
        if (authorities.all().isEmpty()) {
            System.out.println("OCSP responder not started: no CA in the store has a valid OCSP signer"
                    + " (remove the data directory to start over)");
            return null;
        }
        return OcspService.start(
                s.database(), token, authorities, "127.0.0.1", ocspPort, OcspConfig.defaults(), clock, crl.handler());
    }

    /**
     * {@code openssl ocsp} against the running responder, as printed: the sample signature
     * certificate, and an operator certificate if the RA Operators CA has a signer (a data
     * directory from before it had one is served for the Citizen CA only).
     */
    /** The officer console (issue 19; docs/console.md) and how to reach it from a browser. */
    private static void printConsole(String api, Path out, Path demo) {
        String console = api.substring(0, api.length() - RaServer.CONTEXT_PATH.length()) + "/console/";
        System.out.println("RA officer console: " + console + " (the officer's certificate in the browser:)");
        System.out.println("  pk12util -d sql:$HOME/.pki/nssdb -i " + show(demo.resolve(OFFICER + ".p12")) + " -w "
                + show(demo.resolve(OFFICER + ".p12.pass")) + "   # Chromium on Linux (Firefox: its own");
        System.out.println("  certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n eidpki-citizen-root -i "
                + show(out.resolve("citizen-root.pem"))
                + "   # profile; other browsers: import the .p12 and trust the root)");
    }

    private static void printOcspChecks(OcspService ocsp, Path out, Path demo, Path trust) throws IOException {
        Path citizenChain = demo.resolve("citizen-chain.pem");
        Files.writeString(
                citizenChain,
                Files.readString(out.resolve("citizen-ca.pem")) + Files.readString(out.resolve("citizen-root.pem")));
        List<String[]> checks = new ArrayList<>();
        checks.add(new String[] {
            "openssl",
            "ocsp",
            "-issuer",
            rel(out.resolve("citizen-ca.pem")),
            "-cert",
            rel(demo.resolve("citizen-signature.pem")),
            "-url",
            ocsp.url(),
            "-CAfile",
            rel(citizenChain)
        });
        if (ocsp.answersFor().contains(OperatorCommand.RA_OPERATORS_CA)) {
            checks.add(new String[] {
                "openssl",
                "ocsp",
                "-issuer",
                rel(out.resolve("ra-operators-ca.pem")),
                "-cert",
                rel(demo.resolve(OFFICER + ".pem")),
                "-url",
                ocsp.url(),
                "-CAfile",
                rel(trust)
            });
        }
        System.out.println();
        System.out.println(
                "Ask the OCSP responder (signed by each CA's own OCSP signer; add -resp_text to see the response):");
        for (String[] check : checks) {
            System.out.println("  " + printable(check));
            System.out.println("    -> " + run(check));
        }
        System.out.println("  # suspend the certificate with the curl commands below, and the responder says revoked"
                + " (certificateHold) at once");
    }

    // ---------------------------------------------------------------- the chip token

    /** The "card": a second SoftHSM2 token with random PINs in DATA/demo/chip.pin (owner-only); kept if it exists. */
    private static void ensureChipToken(Path demo) throws IOException {
        Map<String, String> env = new HashMap<>();
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf != null) {
            env.put("SOFTHSM2_CONF", conf);
        }
        TokenInitializer init = new TokenInitializer(TokenConfig.SOFTHSM2_LIBRARY, env);
        Path pinFile = demo.resolve("chip.pin");
        if (init.labels().contains(CHIP_TOKEN)) {
            if (!Files.exists(pinFile)) {
                throw new CeremonyException("token '" + CHIP_TOKEN + "' exists but " + pinFile + " does not: remove "
                        + "the data directory to start over");
            }
            return;
        }
        SecureRandom random = new SecureRandom();
        String user = HexFormat.of().formatHex(random.generateSeed(8));
        String so = HexFormat.of().formatHex(random.generateSeed(8));
        Files.deleteIfExists(pinFile);
        Files.createFile(pinFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
                pinFile,
                "# the demo chip token '" + CHIP_TOKEN + "' (stands in for a citizen's card)\n" + "user-pin=" + user
                        + "\nso-pin=" + so + "\n",
                StandardOpenOption.WRITE);
        init.initialize(CHIP_TOKEN, so.toCharArray(), user.toCharArray());
        System.out.println("created the SoftHSM2 token '" + CHIP_TOKEN + "' standing in for a citizen's card (PINs in "
                + show(pinFile) + ")");
    }

    private static char[] chipPin(Path demo) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(demo.resolve("chip.pin"))) {
            p.load(in);
        }
        String pin = p.getProperty("user-pin");
        if (pin == null) {
            throw new CeremonyException(demo.resolve("chip.pin") + " has no user-pin");
        }
        return pin.toCharArray();
    }

    /** A key pair made on the chip, its CSR signed on the chip, submitted as the personalization line. */
    private static void issue(
            HttpClient line, String api, Token chip, String keyLabel, String profile, String chipUid, Path demo)
            throws Exception {
        Path csrFile = demo.resolve(profile + ".csr.pem");
        String csrPem;
        if (chip.exists(keyLabel) && Files.exists(csrFile)) {
            // An interrupted demo sends the same CSR again: with the same Idempotency-Key the RA
            // answers with the certificate it already issued (a new ECDSA signature would make it
            // a different request).
            csrPem = Files.readString(csrFile);
        } else {
            if (!chip.exists(keyLabel)) {
                chip.generateKeyPair(keyLabel, KeyAlgorithm.EC_P256);
            }
            PKCS10CertificationRequest csr = new PKCS10CertificationRequestBuilder(
                            new X500Name("CN=" + CARD_NUMBER + " " + keyLabel), chip.publicKey(keyLabel))
                    .build(chip.signer(keyLabel));
            csrPem = Pkcs12Files.pem(csr);
            Files.writeString(csrFile, csrPem);
        }
        ObjectNode body = JSON.createObjectNode()
                .put("profile", profile)
                .put("chipUid", chipUid)
                .put("csr", csrPem);
        HttpResponse<String> r = line.send(
                HttpRequest.newBuilder(URI.create(api + "/cards/" + CARD_NUMBER + "/certificates"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        // A retried demo gets the same certificate back, never a second one.
                        .header("Idempotency-Key", "demo-" + CARD_NUMBER + "-" + profile)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new CeremonyException("POST /cards/" + CARD_NUMBER + "/certificates (" + profile + ") answered "
                    + r.statusCode() + ": " + r.body());
        }
        JsonNode issued = JSON.readTree(r.body());
        Files.writeString(
                demo.resolve(profile + ".pem"), issued.path("certificate").asText());
        System.out.println((issued.path("replay").asBoolean() ? "fetched again " : "issued ") + profile
                + " from the chip key '" + keyLabel + "' (CSR " + show(csrFile) + "), submitted as " + PERSONALIZATION);
    }

    /** The serial of the card's good or suspended certificate of {@code profile} (e.g. citizen-signature/1), or null. */
    private static String certificateOf(JsonNode card, String profile) {
        for (JsonNode c : card.path("certificates")) {
            String status = c.path("status").asText();
            if (c.path("profile").asText().startsWith(profile + "/")
                    && ("good".equals(status) || "hold".equals(status))) {
                return c.path("serial").asText();
            }
        }
        return null;
    }

    /** A certificate the RA already issued, as PEM (its file under DATA/demo/ was removed). */
    private static void fetch(HttpClient officer, String api, String serial, Path pem) throws Exception {
        HttpResponse<String> r = officer.send(
                HttpRequest.newBuilder(URI.create(api + "/certificates/" + serial))
                        .header("Accept", "application/x-pem-file")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new CeremonyException(
                    "GET /certificates/" + serial + " answered " + r.statusCode() + ": " + r.body());
        }
        Files.writeString(pem, r.body());
        System.out.println("fetched certificate " + serial + " again from the RA API into " + show(pem));
    }

    private static X509CertificateHolder readCertificate(Path pem) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(pem))) {
            Object o = p.readObject();
            if (!(o instanceof X509CertificateHolder cert)) {
                throw new CeremonyException(pem + " holds no certificate");
            }
            return cert;
        }
    }

    // ---------------------------------------------------------------- the RA API as a client

    /** The sample card, registered by the officer unless it already is. */
    private static JsonNode ensureCard(HttpClient officer, String api) throws Exception {
        HttpResponse<String> r = officer.send(
                HttpRequest.newBuilder(URI.create(api + "/cards/" + CARD_NUMBER))
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            System.out.println("card " + CARD_NUMBER + " is registered");
            return JSON.readTree(r.body());
        }
        if (r.statusCode() != 404) {
            throw new CeremonyException("GET /cards/" + CARD_NUMBER + " answered " + r.statusCode() + ": " + r.body());
        }
        ObjectNode body = JSON.createObjectNode()
                .put("cardNumber", CARD_NUMBER)
                .put("chipUid", CHIP_UID)
                .put("nationalId", NATIONAL_ID)
                .put("holderName", HOLDER_NAME)
                .put("birthDate", BIRTH_DATE);
        r = officer.send(
                HttpRequest.newBuilder(URI.create(api + "/cards"))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(body), StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new CeremonyException("POST /cards answered " + r.statusCode() + ": " + r.body());
        }
        System.out.println("registered card " + CARD_NUMBER + " (chip " + CHIP_UID + ") as " + OFFICER);
        return JSON.readTree(r.body());
    }

    /** Java's HttpClient with an operator's PKCS#12 as its client certificate, trusting the RA Operators CA. */
    private static HttpClient client(Path demo, String operator, Path trust) throws Exception {
        char[] password =
                Files.readString(demo.resolve(operator + ".p12.pass")).strip().toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(demo.resolve(operator + ".p12"))) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(trust)))) {
            anchors.setCertificateEntry("anchor-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        PKIXBuilderParameters pkix = new PKIXBuilderParameters(anchors, new X509CertSelector());
        pkix.setRevocationEnabled(false);
        if (CommandClock.pinned()) {
            // The RA's TLS certificate is dated on the pinned clock: judge it there.
            pkix.setDate(Date.from(CommandClock.system().instant()));
        }
        tmf.init(new CertPathTrustManagerParameters(pkix));
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static void printCurls(String api, Path demo, Path trust, String serial) {
        String t = "--cacert " + show(trust);
        String officer = "curl -sS -w '\\n' " + t + " --cert " + show(demo.resolve(OFFICER + ".pem")) + " --key "
                + show(demo.resolve(OFFICER + ".key.pem"));
        String auditor = "curl -sS -w '\\n' " + t + " --cert " + show(demo.resolve(AUDITOR + ".pem")) + " --key "
                + show(demo.resolve(AUDITOR + ".key.pem"));
        System.out.println();
        System.out.println("Try the RA API with curl (officer " + OFFICER + ", supervisor " + SUPERVISOR + ", auditor "
                + AUDITOR + ", personalization " + PERSONALIZATION + ": " + show(demo) + "/<id>.{pem,key.pem,p12}):");
        System.out.println("  # the card as the officer sees it (reading the holder's name is audited)");
        System.out.println("  " + officer + " " + api + "/cards/" + CARD_NUMBER);
        System.out.println("  # the signature certificate as PEM");
        System.out.println("  " + officer + " -H 'Accept: application/x-pem-file' " + api + "/certificates/" + serial);
        System.out.println("  # suspend it, then resume it");
        System.out.println("  " + officer + " -X POST " + api + "/certificates/" + serial + "/suspend");
        System.out.println("  " + officer + " -X POST " + api + "/certificates/" + serial + "/resume");
        System.out.println(
                "  # the audit trail as the auditor (no personal data); also ?action=certificate.suspend, ?limit=, ?after=");
        System.out.println("  " + auditor + " '" + api + "/audit?action=certificate.issue'");
        String perso = "curl -sS " + t + " --cert " + show(demo.resolve(PERSONALIZATION + ".pem")) + " --key "
                + show(demo.resolve(PERSONALIZATION + ".key.pem"));
        System.out.println(
                "  # the card's SOD from its data-group hashes, as the personalization line (EF.SOD, tag 0x77, into sod.bin);");
        System.out.println(
                "  # once per personalization: asked again it answers 409 until an officer re-opens the card");
        System.out.println(
                "  " + perso + " -H 'Content-Type: application/json' -H 'Accept: application/octet-stream' -o sod.bin"
                        + " -d '" + demoSodJson() + "' " + api + "/cards/" + CARD_NUMBER + "/sod");
        System.out.println("  openssl asn1parse -inform DER -in sod.bin -i | head -20");
        System.out.println("  " + officer + " -X POST " + api + "/cards/" + CARD_NUMBER + "/personalization/reopen");
        System.out.println("  # the OpenAPI document");
        System.out.println("  " + officer + " " + api + "/openapi.yaml");
    }

    /** An SOD request for two demo data groups (SHA-256 of their stand-in contents). */
    static String demoSodJson() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            Base64.Encoder b64 = Base64.getEncoder();
            return "{\"dataGroups\":[{\"number\":1,\"hash\":\"" + b64.encodeToString(md.digest("demo DG1".getBytes()))
                    + "\"},{\"number\":2,\"hash\":\"" + b64.encodeToString(md.digest("demo DG2".getBytes())) + "\"}]}";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The seal signers of the temporary ID certificates (issue 24), through the CLI an operator runs:
     * {@code ds generate --purpose seal} in the online token, then {@code ds certify --purpose seal}
     * with the CSCA in the offline token, each with two custodians; certificates in
     * DATA/ceremony/seal-signers/. Skipped when that directory already holds seal signer 001.
     */
    private int ensureSealSigners(Path data) {
        Path dir = data.resolve("ceremony/seal-signers");
        if (Files.exists(dir.resolve("seal-001.pem"))) {
            System.out.println("seal signers (temporary ID certificates) already certified in " + show(dir));
            return 0;
        }
        System.out.println("seal signers for temporary ID certificates: ds generate and ds certify --purpose seal");
        int rc = EidPki.execute(concat(
                List.of("ds", "generate", "--purpose", "seal", "--count", "2"), custodianArgs(data), storeArgs(data)));
        if (rc != 0) {
            return rc;
        }
        return EidPki.execute(concat(
                List.of("ds", "certify", "--purpose", "seal", "--count", "2", "--out", dir.toString()),
                custodianArgs(data),
                storeArgs(data)));
    }

    // ---------------------------------------------------------------- the ceremony

    private static List<String> custodianSpecs(Path data) {
        return List.of(
                "alice:" + data.resolve("demo-custodians/alice.pass"),
                "bob:" + data.resolve("demo-custodians/bob.pass"));
    }

    private static List<String> custodianArgs(Path data) {
        List<String> args = new ArrayList<>();
        for (String c : custodianSpecs(data)) {
            args.add("--custodian");
            args.add(c);
        }
        return args;
    }

    /** The demo's store options, passed on to the commands it runs. */
    private List<String> storeArgs(Path data) {
        List<String> args = new ArrayList<>(List.of("--data-dir", data.toString()));
        if (store.jdbcUrl != null) {
            args.addAll(List.of("--jdbc-url", store.jdbcUrl));
            if (store.dbUser != null) {
                args.addAll(List.of("--db-user", store.dbUser));
            }
            if (store.dbPasswordFile != null) {
                args.addAll(List.of("--db-password-file", store.dbPasswordFile.toString()));
            }
        }
        return args;
    }

    @SafeVarargs
    private static String[] concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all.toArray(String[]::new);
    }

    private static void ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    private void runCeremony(Path data) throws IOException {
        Files.createDirectories(data);
        Path passDir = data.resolve("demo-custodians");
        ownerOnlyDirectory(passDir);
        SecureRandom random = new SecureRandom();
        for (String c : CUSTODIANS) {
            Path f = passDir.resolve(c + ".pass");
            if (!Files.exists(f)) {
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(f, "demo-" + c + "-" + HexFormat.of().formatHex(random.generateSeed(12)) + "\n");
            }
        }
        Path ceremonyFile = data.resolve("demo-ceremony.yaml");
        if (!Files.exists(ceremonyFile)) {
            try (InputStream in = DemoCommand.class.getResourceAsStream("demo-ceremony.yaml")) {
                Files.copy(in, ceremonyFile);
            }
        }
        System.out.println(
                "running the demo ceremony " + ceremonyFile + " (custodians alice, bob, carol; threshold 2)");
        int rc = EidPki.execute(concat(List.of("ceremony"), storeArgs(data), List.of(ceremonyFile.toString())));
        if (rc != 0) {
            throw new CeremonyException("the demo ceremony failed (see above)");
        }
    }

    private static void printChains(Path out) {
        String o = rel(out);
        System.out.println();
        System.out.println("Certificate chains (PEM and DER in " + show(out) + "):");
        System.out.println("  Citizen Root CA -> Citizen CA -> Citizen CA OCSP Responder");
        System.out.println("  Citizen Root CA -> RA Operators CA"
                + (Files.exists(out.resolve("ra-operators-ca-ocsp.pem")) ? " -> RA Operators CA OCSP Responder" : ""));
        System.out.println("  CSCA -> Document Signer 001");
        System.out.println("Offline CRLs: citizen-root.crl (ARL), csca.crl");
        System.out.println();
        List<String[]> checks = new ArrayList<>();
        checks.add(new String[] {
            "openssl",
            "verify",
            "-x509_strict",
            "-CAfile",
            o + "/citizen-root.pem",
            "-untrusted",
            o + "/citizen-ca.pem",
            o + "/citizen-ca-ocsp.pem"
        });
        checks.add(new String[] {
            "openssl", "verify", "-x509_strict", "-CAfile", o + "/citizen-root.pem", o + "/ra-operators-ca.pem"
        });
        if (Files.exists(out.resolve("ra-operators-ca-ocsp.pem"))) {
            // A data directory from before the RA Operators CA had its own OCSP signer has no such file.
            checks.add(new String[] {
                "openssl",
                "verify",
                "-x509_strict",
                "-CAfile",
                o + "/citizen-root.pem",
                "-untrusted",
                o + "/ra-operators-ca.pem",
                o + "/ra-operators-ca-ocsp.pem"
            });
        }
        checks.add(new String[] {"openssl", "verify", "-x509_strict", "-CAfile", o + "/csca.pem", o + "/ds-001.pem"});
        checks.add(new String[] {
            "openssl",
            "crl",
            "-noout",
            "-in",
            o + "/citizen-root.crl",
            "-inform",
            "DER",
            "-CAfile",
            o + "/citizen-root.pem"
        });
        checks.add(new String[] {
            "openssl", "crl", "-noout", "-in", o + "/csca.crl", "-inform", "DER", "-CAfile", o + "/csca.pem"
        });
        System.out.println("Check them with openssl:");
        for (String[] check : checks) {
            System.out.println("  " + printable(check));
            System.out.println("    -> " + run(check));
        }
        System.out.println("The ceremony transcript is signed by the offline root key:");
        String t =
                "openssl dgst -sha384 -verify <(openssl x509 -in " + quote(o + "/citizen-root.pem") + " -pubkey -noout)"
                        + " -signature " + quote(o + "/transcript.json.sig") + " " + quote(o + "/transcript.json");
        System.out.println("  " + t);
        System.out.println("    -> " + run(new String[] {"bash", "-c", t}));
    }

    /**
     * A path as the printed commands use it: relative to the working directory when it is below it,
     * so that they work as printed from where the demo was started.
     */
    static String rel(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    /** {@link #rel}, single-quoted if the shell would split or expand it. */
    static String show(Path p) {
        return quote(rel(p));
    }

    static String quote(String s) {
        return s.matches("[A-Za-z0-9._/+=:@%,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    static String printable(String[] command) {
        List<String> words = new ArrayList<>();
        for (String w : command) {
            words.add(quote(w));
        }
        return String.join(" ", words);
    }

    static String run(String[] command) {
        try {
            // On a pinned test clock the demo's own checks run under faketime, as the printed note says.
            List<String> timed = new ArrayList<>(CommandClock.toolPrefix());
            timed.addAll(List.of(command));
            Process p = new ProcessBuilder(timed).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            return (rc == 0 ? "" : "FAILED (exit " + rc + "): ") + text.replace('\n', ' ');
        } catch (IOException e) {
            return "cannot run " + command[0] + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
