package tw.eid.pki.ca.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tw.eid.pki.ca.csr.CsrRejectedException.Code;

class DerScannerTest {

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static void accepted(String hex) {
        DerScanner scanner = new DerScanner(30);
        byte[] der = hex(hex);
        scanner.scan(der);
        assertThat(scanner.bytesRead()).isLessThanOrEqualTo(der.length);
    }

    private static void refused(String hex, Code code) {
        DerScanner scanner = new DerScanner(30);
        byte[] der = hex(hex);
        assertThatThrownBy(() -> scanner.scan(der))
                .isInstanceOfSatisfying(
                        CsrRejectedException.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThat(scanner.bytesRead()).isLessThanOrEqualTo(der.length);
    }

    @ParameterizedTest
    @CsvSource({
        "30 00",
        "30 03 02 01 05",
        "30 06 01 01 ff 01 01 00",
        "02 02 00 80",
        "02 02 ff 7f",
        "03 02 03 08",
        "05 00",
        "06 03 2a 03 04",
        "a0 00",
        "bf 1f 00",
    })
    void acceptsDer(String hex) {
        accepted(hex);
    }

    @ParameterizedTest
    @CsvSource({
        "30 80 02 01 05 00 00, INDEFINITE_LENGTH",
        "30 81 03 02 01 05, NON_MINIMAL_LENGTH",
        "30 82 00 03 02 01 05, NON_MINIMAL_LENGTH",
        "30 84 7f ff ff ff 02 01 05, BAD_LENGTH",
        "30 84 ff ff ff ff 02 01 05, BAD_LENGTH",
        "30 88 00 00 00 00 00 00 00 03 02 01 05, BAD_LENGTH",
        "30 ff 02 01 05, BAD_LENGTH",
        "30 04 02 01 05, BAD_LENGTH",
        "30 03 02 02 05, BAD_LENGTH",
        "30 03 02 01 05 00, TRAILING_DATA",
        "30 00 30 00, TRAILING_DATA",
        "01 01 01, NOT_DER",
        "02 02 00 05, NOT_DER",
        "02 02 ff 80, NOT_DER",
        "02 00, NOT_DER",
        "03 02 03 09, NOT_DER",
        "03 02 08 00, NOT_DER",
        "03 01 01, NOT_DER",
        "05 01 00, NOT_DER",
        "24 03 04 01 00, NOT_DER",
        "10 00, NOT_DER",
        "00 00, NOT_DER",
        "1f 05 00, NOT_DER",
        "1f 80 20 00, NOT_DER",
        "06 00, BAD_OID",
        "06 02 2a 80, BAD_OID",
        "06 03 2a 80 01, BAD_OID",
        "06 0b 2a 82 80 80 80 80 80 80 80 80 00, BAD_OID",
    })
    void refusesNonDer(String hex, Code code) {
        refused(hex, code);
    }

    @Test
    void longFormLengthsFrom128() {
        accepted("04 81 80" + " 00".repeat(128));
        accepted("04 82 01 00" + " 00".repeat(256));
    }

    @Test
    void oidArcsUpTo2To64MinusOneAndUpTo64ArcsAreAccepted() {
        // 1.2.(2^64 - 1): ten base-128 digits, the first 0x81.
        accepted("06 0b 2a 81 ff ff ff ff ff ff ff ff 7f");
        // 1.2.(2^64): refused.
        refused("06 0b 2a 82 80 80 80 80 80 80 80 80 00", Code.BAD_OID);
        // 64 arcs: 1.2 in the first octet, then 62 arcs of one octet each; 65 arcs refused.
        accepted("06 3f 2a" + " 01".repeat(62));
        refused("06 40 2a" + " 01".repeat(63), Code.BAD_OID);
    }

    @Test
    void nestingIsLimited() {
        StringBuilder thirty = new StringBuilder();
        for (int depth = 30; depth >= 1; depth--) {
            thirty.insert(0, String.format("30 %02x ", 2 * (30 - depth)));
        }
        accepted(thirty.toString());
        refused("30 3c " + thirty, Code.TOO_DEEP);
    }

    @Test
    void deepNestingDeclaredInFewBytesIsRefusedAfterReadingOnlyThem() {
        // 100,000 nested SEQUENCE headers with consistent lengths: the scanner stops at level 31.
        int levels = 100_000;
        byte[] der = new byte[levels * 5];
        int at = 0;
        for (int i = 0; i < levels; i++) {
            int remaining = der.length - at - 5;
            der[at++] = 0x30;
            der[at++] = (byte) 0x83;
            der[at++] = (byte) (remaining >>> 16);
            der[at++] = (byte) (remaining >>> 8);
            der[at++] = (byte) remaining;
        }
        DerScanner scanner = new DerScanner(30);
        assertThatThrownBy(() -> scanner.scan(der))
                .isInstanceOfSatisfying(
                        CsrRejectedException.class, e -> assertThat(e.code()).isEqualTo(Code.TOO_DEEP));
        assertThat(scanner.bytesRead()).isEqualTo(31 * 5);
    }

    @Test
    void aDeclaredLengthOf2To31IsRefusedAfterReadingItsHeaderOnly() {
        DerScanner scanner = new DerScanner(30);
        byte[] der = hex("30 84 80 00 00 00 02 01 05");
        assertThatThrownBy(() -> scanner.scan(der))
                .isInstanceOfSatisfying(
                        CsrRejectedException.class, e -> assertThat(e.code()).isEqualTo(Code.BAD_LENGTH));
        assertThat(scanner.bytesRead()).isEqualTo(6);
    }
}
