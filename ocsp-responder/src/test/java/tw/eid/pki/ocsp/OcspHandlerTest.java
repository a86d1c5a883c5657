package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 5019 GET paths: base64, then percent-encoded; '+' is not a space. */
class OcspHandlerTest {
    @Test
    void decodesBase64ThatWasPercentEncodedOrNot() {
        Random r = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] der = new byte[1 + r.nextInt(300)];
            r.nextBytes(der);
            String b64 = Base64.getEncoder().encodeToString(der);
            assertThat(OcspHandler.decodeGetPath(b64, 10_240)).isEqualTo(der);
            assertThat(OcspHandler.decodeGetPath(URLEncoder.encode(b64, StandardCharsets.US_ASCII), 10_240))
                    .isEqualTo(der);
            assertThat(OcspHandler.decodeGetPath(b64.replace("/", "%2f").replace("+", "%2B"), 10_240))
                    .isEqualTo(der);
        }
    }

    @Test
    void refusesWhatDoesNotDecode() {
        assertThat(OcspHandler.decodeGetPath("", 100)).isNull();
        assertThat(OcspHandler.decodeGetPath("%", 100)).isNull();
        assertThat(OcspHandler.decodeGetPath("%G0", 100)).isNull();
        assertThat(OcspHandler.decodeGetPath("abc", 100)).isNull(); // not a base64 length
        assertThat(OcspHandler.decodeGetPath("a b=", 100)).isNull();
        assertThat(OcspHandler.decodeGetPath(Base64.getEncoder().encodeToString(new byte[200]), 100))
                .isNull();
    }

    @Test
    void httpDatesAreImfFixdate() {
        assertThat(HttpDates.format(java.time.Instant.parse("2026-11-01T03:04:05Z")))
                .isEqualTo("Sun, 01 Nov 2026 03:04:05 GMT");
    }
}
