package tw.eid.pki.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Base64;
import tw.eid.pki.ca.card.CardReissues;

/**
 * The demo's temporary ID certificate (issue 24): the officer starts a re-issue of the sample card
 * (new card expected in 7 days) and issues a temporary certificate for it over the RA API; the seal
 * bytes go to {@code data/demo/temporary-certificate.vds} and the printable PDF to {@code
 * data/demo/temporary-certificate.pdf}. It then prints, and runs, a {@code pdftoppm | dmtxread}
 * check that the printed barcode holds exactly those bytes, and the relying party's {@code POST
 * /verify/temporary-certificate} with the bytes and with the rendered page.
 */
final class TemporaryCertificateDemo {
    static final String OFFICE = "TPE01";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TemporaryCertificateDemo() {}

    /** {@code relyingParty}: the base URL of the relying parties' port, null when it is not served. */
    static void run(Path demo, HttpClient officer, String api, String relyingParty)
            throws IOException, InterruptedException {
        Path vds = demo.resolve("temporary-certificate.vds");
        Path pdf = demo.resolve("temporary-certificate.pdf");
        System.out.println();
        if (Files.exists(vds) && Files.exists(pdf)) {
            System.out.println(
                    "the temporary ID certificate is in " + DemoCommand.show(pdf) + " and " + DemoCommand.show(vds));
        } else {
            LocalDate today = LocalDate.now(CommandClock.system().withZone(CardReissues.ZONE));
            HttpResponse<String> r = post(
                    officer,
                    api + "/cards/" + DemoCommand.CARD_NUMBER + "/reissue",
                    JSON.createObjectNode()
                            .put("expectedDelivery", today.plusDays(7).toString())
                            .toString());
            if (r.statusCode() != 201 && r.statusCode() != 409) {
                System.out.println("temporary ID certificate not issued: POST /cards/" + DemoCommand.CARD_NUMBER
                        + "/reissue answered " + r.statusCode() + ": " + r.body());
                return;
            }
            r = post(
                    officer,
                    api + "/cards/" + DemoCommand.CARD_NUMBER + "/temporary-certificates",
                    JSON.createObjectNode().put("officeCode", OFFICE).toString());
            if (r.statusCode() != 201) {
                // e.g. 422 for a sample card registered by an older demo without a birth date
                System.out.println("temporary ID certificate not issued: POST /cards/" + DemoCommand.CARD_NUMBER
                        + "/temporary-certificates answered " + r.statusCode() + ": " + r.body());
                return;
            }
            JsonNode issued = JSON.readTree(r.body());
            Files.write(vds, Base64.getDecoder().decode(issued.path("seal").asText()));
            Files.write(pdf, Base64.getDecoder().decode(issued.path("pdf").asText()));
            System.out.println("card " + DemoCommand.CARD_NUMBER + " is in re-issue (new card expected "
                    + today.plusDays(7) + "); temporary ID certificate "
                    + issued.path("number").asText()
                    + " valid " + issued.path("validFrom").asText() + " to "
                    + issued.path("validUntil").asText()
                    + ": " + DemoCommand.show(pdf) + ", seal bytes " + DemoCommand.show(vds));
        }
        String page = DemoCommand.rel(demo.resolve("temporary-certificate-page"));
        String dmtx = "pdftoppm -r 300 -gray -singlefile " + DemoCommand.show(pdf) + " " + DemoCommand.quote(page)
                + " && dmtxread -N1 " + DemoCommand.quote(page + ".pgm") + " | cmp - " + DemoCommand.show(vds)
                + " && echo 'the printed DataMatrix holds exactly the seal bytes'";
        System.out.println(
                "The printed barcode, rendered by pdftoppm (300 dpi) and read by dmtxread and ZXingReader, against the"
                        + " seal bytes:");
        System.out.println("  " + dmtx);
        System.out.println("    -> " + DemoCommand.run(new String[] {"bash", "-c", dmtx}));
        String png = "pdftoppm -r 300 -png -singlefile " + DemoCommand.show(pdf) + " " + DemoCommand.quote(page);
        String zxing = png + " && ZXingReader -format DataMatrix -bytes " + DemoCommand.quote(page + ".png")
                + " | cmp - " + DemoCommand.show(vds) + " && echo 'ZXingReader reads the same bytes'";
        System.out.println("  " + zxing);
        System.out.println("    -> " + DemoCommand.run(new String[] {"bash", "-c", zxing}));
        if (relyingParty == null) {
            System.out.println("(the relying parties' port is not served: no verification)");
            return;
        }
        String url = relyingParty + TemporaryCertificateVerifyHandler.PATH;
        String[] bytes = {
            "curl",
            "-sS",
            "-H",
            "Content-Type: application/octet-stream",
            "--data-binary",
            "@" + DemoCommand.rel(vds),
            url
        };
        String[] image = {"curl", "-sS", "-H", "Content-Type: image/png", "--data-binary", "@" + page + ".png", url};
        System.out.println("Verify it as a relying party (the seal bytes, or a PNG/JPEG of the barcode):");
        System.out.println("  " + DemoCommand.printable(bytes));
        System.out.println("    -> " + DemoCommand.run(bytes));
        System.out.println("  " + png + " && " + DemoCommand.printable(image));
        System.out.println(
                "    -> " + DemoCommand.run(new String[] {"bash", "-c", png + " && " + DemoCommand.printable(image)}));
    }

    private static HttpResponse<String> post(HttpClient client, String url, String json)
            throws IOException, InterruptedException {
        return client.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("Accept", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
