package tw.eid.pki.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import tw.eid.pki.ca.audit.Actor;
import tw.eid.pki.ca.audit.AuditLedger;
import tw.eid.pki.ca.cvc.CertificateDescription;
import tw.eid.pki.ca.cvc.CvAuthority;
import tw.eid.pki.ca.cvc.CvCertificate;
import tw.eid.pki.ca.cvc.CvPublicKey;
import tw.eid.pki.ca.cvc.CvRequest;
import tw.eid.pki.ca.cvc.CvRole;
import tw.eid.pki.ca.cvc.HolderReference;
import tw.eid.pki.ca.cvc.TerminalType;
import tw.eid.pki.hsm.Token;

/**
 * The demo's card-verifiable part (issue 22): the CVCA made in the offline token (custodians alice
 * and bob), a DV in the online token, and a sample agency record (an authentication terminal that
 * reads DG1 and DG4) recorded by the demo officer and approved by the demo supervisor over the RA
 * API; the three certificates are written to {@code data/demo/cv/} as {@code CHR.cvcert}, each with a
 * link named exactly by its CHR (what {@code cvc-print --cvc-dir} looks up), the description
 * document and the trust points ({@code trust-points.cvcerts}) beside them.
 */
final class CvDemo {
    static final HolderReference CVCA = HolderReference.parse("TWCVCA00001");
    static final HolderReference DV = HolderReference.parse("TWDVMOI00001");
    static final HolderReference TERMINAL = HolderReference.parse("TWDEMOAGY00001");
    private static final ObjectMapper JSON = new ObjectMapper();

    private CvDemo() {}

    static void run(
            Path data,
            Path demo,
            StoreOptions.Store store,
            Token online,
            List<String> custodians,
            HttpClient officer,
            HttpClient supervisor,
            String api,
            Clock clock)
            throws IOException, InterruptedException, GeneralSecurityException, OperatorCreationException {
        Path dir = demo.resolve("cv");
        Path terminalFile = dir.resolve(TERMINAL + ".cvcert");
        System.out.println();
        if (Files.exists(terminalFile)) {
            System.out.println("CV certificates (CVCA, DV, sample terminal) already in " + DemoCommand.show(dir));
        } else {
            Files.createDirectories(dir);
            CvAuthority authority = new CvAuthority(store.database(), AuditLedger.hashChained(clock), clock);
            OfflineCustodianOptions offlineCustodians = new OfflineCustodianOptions();
            offlineCustodians.custodians = custodians;
            Actor ceremony = Actor.local(offlineCustodians.actorId());
            CvCertificate cvca;
            CvCertificate dv;
            try (Token offline = offlineCustodians.open(data, clock)) {
                cvca = authority.createCvca(ceremony, offline, "cvca-1", CVCA, TerminalType.AT, Period.ofYears(2));
                dv = authority.certifyDv(
                        ceremony, offline, CVCA, online, "dv-moi-1", DV, CvRole.DV_DOMESTIC, Period.ofMonths(3));
            }
            CvCommand.write(dir, cvca);
            CvCommand.write(dir, dv);
            // The chips' trust points, as the ceremony writes them (and GET /cv/trust-points serves them).
            CvCommand.writeTrustPoints(dir, authority);
            // The sample agency's terminal: its key is the agency's, not ours (a software key here).
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair terminal = g.generateKeyPair();
            JcaContentSignerBuilder signer = new JcaContentSignerBuilder("SHA256withECDSA");
            byte[] request = CvRequest.create(
                    DV,
                    CvPublicKey.of(SubjectPublicKeyInfo.getInstance(
                            terminal.getPublic().getEncoded())),
                    TERMINAL,
                    null,
                    () -> {
                        try {
                            return signer.build(terminal.getPrivate());
                        } catch (OperatorCreationException e) {
                            throw new IllegalStateException(e);
                        }
                    });
            CertificateDescription description = new CertificateDescription(
                    "Ministry of the Interior (demo)",
                    "Demo Agency",
                    "Reads the document type (DG1) and the given names (DG4) to open a benefit claim.");
            ObjectNode body = JSON.createObjectNode();
            body.put("agency", "Demo Agency");
            body.put("legalBasis", "Demo Act art. 1");
            body.put("terminalType", "AT");
            body.putArray("rights").add("read-dg1").add("read-dg4");
            ObjectNode d = body.putObject("description");
            d.put("issuerName", description.issuerName());
            d.put("subjectName", description.subjectName());
            d.put("termsOfUsage", description.termsOfUsage());
            body.put("maxValidityDays", 30);
            body.put(
                    "endDate",
                    LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                            .plusYears(1)
                            .toString());
            body.put("holderMnemonic", TERMINAL.mnemonic());
            body.put("firstRequest", Base64.getEncoder().encodeToString(request));
            JsonNode record = post(officer, api + "/cv/agencies", body.toString(), 201);
            System.out.println("agency record " + record.path("id").asLong() + " recorded by the officer (status "
                    + record.path("status").asText() + ")");
            JsonNode issued =
                    post(supervisor, api + "/cv/agencies/" + record.path("id").asLong() + "/approve", null, 201);
            byte[] der = Base64.getDecoder().decode(issued.path("certificate").asText());
            Files.write(terminalFile, der);
            link(dir, TERMINAL);
            Files.write(dir.resolve("description.der"), description.encoded());
            System.out.println("approved by the supervisor: terminal certificate " + TERMINAL + " ("
                    + issued.path("rights") + ", " + issued.path("effective").asText() + " to "
                    + issued.path("expiration").asText() + ")");
        }
        String[] check = {
            "cvc-print",
            "--cvc-dir",
            DemoCommand.rel(dir),
            "--cvc",
            DemoCommand.rel(terminalFile),
            "--description",
            DemoCommand.rel(dir.resolve("description.der"))
        };
        System.out.println("CVCA -> DV -> terminal (card-verifiable, in " + DemoCommand.show(dir)
                + "); check the chain and the description with openpace:");
        System.out.println("  " + DemoCommand.printable(check));
        System.out.println("    -> " + DemoCommand.run(check));
    }

    /** cvc-print --cvc-dir opens the file named exactly by the CAR it looks for: a link to CHR.cvcert. */
    private static void link(Path dir, HolderReference chr) throws IOException {
        Path link = dir.resolve(chr.toString());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of(chr + ".cvcert"));
    }

    private static JsonNode post(HttpClient client, String url, String json, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (json == null) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != expected) {
            throw new IllegalStateException("POST " + url + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
