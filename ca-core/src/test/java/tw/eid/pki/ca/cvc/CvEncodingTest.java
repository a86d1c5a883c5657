package tw.eid.pki.ca.cvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Test;

/** The pure parts of the CV encoding, on fixed dates: no token, no store, no clock. */
class CvEncodingTest {

    @Test
    void datesAreSixBcdDigitsEveryDayOfTheCentury() {
        for (LocalDate d = LocalDate.of(2000, 1, 1); d.getYear() < 2100; d = d.plusDays(1)) {
            byte[] bcd = CvDate.encode(d);
            assertThat(bcd).hasSize(6);
            for (byte b : bcd) {
                assertThat((int) b).isBetween(0, 9);
            }
            assertThat(CvDate.decode(bcd)).isEqualTo(d);
        }
        assertThat(CvDate.encode(LocalDate.of(2028, 2, 29))).containsExactly(2, 8, 0, 2, 2, 9);
        assertThatThrownBy(() -> CvDate.decode(new byte[] {2, 8, 0, 2, 3, 0})).isInstanceOf(CvException.class);
        assertThatThrownBy(() -> CvDate.decode(new byte[] {2, 8, 0, 0x0A, 0, 1}))
                .isInstanceOf(CvException.class);
        assertThatThrownBy(() -> CvDate.encode(LocalDate.of(2100, 1, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tr03139ValidityRangesAsCalendarSums() {
        LocalDate leap = LocalDate.of(2028, 2, 29);
        // Terminal: 1 day (effective = expiration) up to 1 month less a day.
        CvProfile.TERMINAL.check(leap, leap);
        CvProfile.TERMINAL.check(leap, LocalDate.of(2028, 3, 28));
        assertThatThrownBy(() -> CvProfile.TERMINAL.check(leap, LocalDate.of(2028, 3, 29)))
                .isInstanceOf(CvException.class);
        assertThatThrownBy(() -> CvProfile.TERMINAL.check(leap, leap.minusDays(1)))
                .isInstanceOf(CvException.class);
        CvProfile.TERMINAL.check(LocalDate.of(2026, 12, 7), LocalDate.of(2027, 1, 6));
        // DV: 2 weeks to 3 months.
        CvProfile.DV.check(leap, leap.plusDays(13));
        assertThatThrownBy(() -> CvProfile.DV.check(leap, leap.plusDays(12))).isInstanceOf(CvException.class);
        CvProfile.DV.check(leap, LocalDate.of(2028, 5, 28));
        assertThatThrownBy(() -> CvProfile.DV.check(leap, LocalDate.of(2028, 5, 29)))
                .isInstanceOf(CvException.class);
        // CVCA and link: 6 months to 3 years.
        CvProfile.CVCA.check(leap, LocalDate.of(2028, 8, 28));
        assertThatThrownBy(() -> CvProfile.CVCA.check(leap, LocalDate.of(2028, 8, 27)))
                .isInstanceOf(CvException.class);
        CvProfile.LINK.check(leap, LocalDate.of(2031, 2, 27));
        assertThatThrownBy(() -> CvProfile.LINK.check(leap, LocalDate.of(2031, 2, 28)))
                .isInstanceOf(CvException.class);
    }

    @Test
    void chatBitsRolesAndCoverage() {
        Chat at = new Chat(TerminalType.AT, CvRole.TERMINAL, EnumSet.of(AccessRight.READ_DG1, AccessRight.READ_DG4));
        assertThat(HexFormat.of().formatHex(at.relativeAuthorization())).isEqualTo("0000000900");
        assertThat(HexFormat.of().formatHex(at.tlv().encoded()).toUpperCase())
                .isEqualTo("7F4C12060904007F00070301020253050000000900");
        assertThat(Chat.decode(at.tlv())).isEqualTo(at);
        assertThat(HexFormat.of()
                        .formatHex(Chat.all(TerminalType.AT, CvRole.CVCA).relativeAuthorization()))
                .isEqualTo("fe1fffffff");
        assertThat(HexFormat.of()
                        .formatHex(new Chat(TerminalType.IS, CvRole.DV_FOREIGN, Set.of(AccessRight.IS_READ_DG4))
                                .relativeAuthorization()))
                .isEqualTo("42");
        assertThat(at.covers(new Chat(TerminalType.AT, CvRole.TERMINAL, Set.of(AccessRight.READ_DG4))))
                .isTrue();
        assertThat(at.covers(new Chat(TerminalType.AT, CvRole.TERMINAL, Set.of(AccessRight.READ_DG2))))
                .isFalse();
        assertThatThrownBy(() -> new Chat(TerminalType.AT, CvRole.TERMINAL, Set.of(AccessRight.IS_READ_DG3)))
                .isInstanceOf(CvException.class);
        // A reserved bit (29) is refused, not dropped.
        Tlv reserved = Tlv.parse(HexFormat.of().parseHex("7F4C12060904007F00070301020253050020000000"));
        assertThatThrownBy(() -> Chat.decode(reserved))
                .isInstanceOf(CvException.class)
                .extracting(e -> ((CvException) e).code())
                .isEqualTo(CvException.Code.RIGHTS);
    }

    @Test
    void holderReferences() {
        HolderReference r = HolderReference.parse("TWAGENCY100001");
        assertThat(r.country()).isEqualTo("TW");
        assertThat(r.mnemonic()).isEqualTo("AGENCY1");
        assertThat(r.sequence()).isEqualTo("00001");
        assertThat(r.next()).isEqualTo(HolderReference.parse("TWAGENCY100002"));
        for (String bad : new String[] {"tw00001", "T1CVCA00001", "TWABCDEFGHIJ00001", "TW-CA00001"}) {
            assertThatThrownBy(() -> HolderReference.parse(bad)).as(bad).isInstanceOf(CvException.class);
        }
    }

    @Test
    void strictTlv() {
        assertThat(Tlv.parse(HexFormat.of().parseHex("5F2901" + "00")).tag()).isEqualTo(0x5F29);
        // A length in a longer form than needed, a truncated value, trailing bytes: all refused.
        for (String bad : new String[] {"5F29810100", "5F290200", "5F2901000000", "00", "5F29830000010000"}) {
            assertThatThrownBy(() -> Tlv.parse(HexFormat.of().parseHex(bad)))
                    .as(bad)
                    .isInstanceOf(CvException.class);
        }
        byte[] big = new byte[300];
        assertThat(Tlv.parse(Tlv.of(0x86, big).encoded()).value()).hasSize(300);
    }

    @Test
    void derSignaturesBecomePlainRAndS() throws Exception {
        BigInteger r = BigInteger.ONE.shiftLeft(255).add(BigInteger.TEN); // 32 bytes, high bit set
        BigInteger s = BigInteger.valueOf(7); // short: padded
        byte[] der = new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded();
        byte[] plain = CvSignatures.plain(der, 32);
        assertThat(plain).hasSize(64);
        assertThat(new BigInteger(1, Arrays.copyOfRange(plain, 0, 32))).isEqualTo(r);
        assertThat(plain[63]).isEqualTo((byte) 7);
        assertThat(plain[32]).isZero();
    }
}
