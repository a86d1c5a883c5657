package tw.eid.pki.ca.csr;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;

class WeakRsaModulusTest {

    /**
     * The fingerprint masks published with the detector (crocs-muni/roca, roca/detect.py,
     * RocaFingerprinter.prints), one per prime of RocaFingerprinter.primes: bit r is set when r is
     * a power of 65537 modulo that prime. Our masks are computed; they must equal these.
     */
    private static final String[] PUBLISHED_PRINTS = {
        "6",
        "30",
        "126",
        "1026",
        "5658",
        "107286",
        "199410",
        "8388606",
        "536870910",
        "2147483646",
        "67109890",
        "2199023255550",
        "8796093022206",
        "140737488355326",
        "5310023542746834",
        "576460752303423486",
        "1455791217086302986",
        "147573952589676412926",
        "20052041432995567486",
        "6041388139249378920330",
        "207530445072488465666",
        "9671406556917033397649406",
        "618970019642690137449562110",
        "79228162521181866724264247298",
        "2535301200456458802993406410750",
        "1760368345969468176824550810518",
        "50079290986288516948354744811034",
        "473022961816146413042658758988474",
        "10384593717069655257060992658440190",
        "144390480366845522447407333004847678774",
        "2722258935367507707706996859454145691646",
        "174224571863520493293247799005065324265470",
        "696898287454081973172991196020261297061886",
        "713623846352979940529142984724747568191373310",
        "1800793591454480341970779146165214289059119882",
        "126304807362733370595828809000324029340048915994",
        "11692013098647223345629478661730264157247460343806",
        "187072209578355573530071658587684226515959365500926"
    };

    @Test
    void rocaMasksAreThePublishedDetectorsPrints() {
        assertThat(WeakRsaModulus.ROCA_PRIMES)
                .hasSize(PUBLISHED_PRINTS.length)
                .startsWith(3, 5, 7)
                .endsWith(163, 167);
        for (int i = 0; i < PUBLISHED_PRINTS.length; i++) {
            assertThat(WeakRsaModulus.rocaMask(i))
                    .as("prime %d", WeakRsaModulus.ROCA_PRIMES[i])
                    .isEqualTo(new BigInteger(PUBLISHED_PRINTS[i]));
        }
    }

    @Test
    void generatorOrderIsThePublishedOne() {
        // crocs-muni/roca, java/RocaDetect.java: generatorOrder, the order of 65537 modulo 2*3*...*167.
        assertThat(WeakRsaModulus.rocaGeneratorOrder()).isEqualTo(new BigInteger("2454106387091158800"));
    }

    @Test
    void residuesInTheSubgroupButWithoutOneDiscreteLogAreNotTheFingerprint() {
        // Modulo 3, 65537 = 2 has order 2 and 1 = 65537^0; modulo 5, 65537 = 2 has order 4 and
        // 2 = 65537^1. Logs 0 (mod 2) and 1 (mod 4) disagree modulo gcd(2, 4) = 2: each residue is a
        // power of 65537, but N is not one modulo 15. Every other residue is 1 (log 0).
        BigInteger m = BigInteger.ONE;
        for (int r : WeakRsaModulus.ROCA_PRIMES) {
            m = m.multiply(BigInteger.valueOf(r));
        }
        BigInteger residue = BigInteger.ZERO;
        for (int r : WeakRsaModulus.ROCA_PRIMES) {
            BigInteger rr = BigInteger.valueOf(r);
            BigInteger others = m.divide(rr);
            BigInteger wanted = BigInteger.valueOf(r == 5 ? 2 : 1);
            residue = residue.add(wanted.multiply(others).multiply(others.modInverse(rr)));
        }
        BigInteger n = residue.mod(m).add(m.shiftLeft(2048 - m.bitLength()));
        assertThat(WeakRsaModulus.passesRocaResidueTest(n)).isTrue();
        assertThat(WeakRsaModulus.hasRocaFingerprint(n)).isFalse();
        // With the residue modulo 5 back to 1, N = 1 = 65537^0 modulo M: the fingerprint.
        BigInteger others = m.divide(BigInteger.valueOf(5));
        BigInteger one = n.subtract(others.multiply(others.modInverse(BigInteger.valueOf(5))));
        assertThat(one.mod(m)).isEqualTo(BigInteger.ONE);
        assertThat(WeakRsaModulus.hasRocaFingerprint(one)).isTrue();
    }

    @Test
    void rocaFormModulusHasTheFingerprintAndOrdinaryModuliDoNot() {
        BigInteger n = TestCsrs.rocaPrime().multiply(TestCsrs.rocaPrime());
        assertThat(n.bitLength()).isEqualTo(2048);
        assertThat(WeakRsaModulus.hasRocaFingerprint(n)).isTrue();
        assertThat(WeakRsaModulus.hasSmallFactor(n)).isFalse();
        assertThat(WeakRsaModulus.hasClosePrimes(n)).isFalse();

        for (int i = 0; i < 3; i++) {
            BigInteger ordinary =
                    ((RSAPublicKey) TestCsrs.rsa(2048, TestCsrs.F4).getPublic()).getModulus();
            assertThat(WeakRsaModulus.hasRocaFingerprint(ordinary)).isFalse();
            assertThat(WeakRsaModulus.hasClosePrimes(ordinary)).isFalse();
            assertThat(WeakRsaModulus.hasSmallFactor(ordinary)).isFalse();
        }
    }

    @Test
    void fermatFindsClosePrimesWithinItsRoundsButNotFartherOnes() {
        BigInteger[] pq = TestCsrs.adjacentPrimes();
        assertThat(WeakRsaModulus.hasClosePrimes(pq[0].multiply(pq[1]))).isTrue();
        // p = q: a perfect square, which starting from floor(sqrt(N)) + 1 would miss.
        assertThat(WeakRsaModulus.hasClosePrimes(pq[0].multiply(pq[0]))).isTrue();

        // |p - q| of about 2^600 is far outside 100 rounds (the bound is about 28 * N^(1/4) = 2^517).
        BigInteger p = pq[0];
        BigInteger q = p.add(BigInteger.ONE.shiftLeft(600)).nextProbablePrime();
        assertThat(WeakRsaModulus.hasClosePrimes(p.multiply(q))).isFalse();
    }

    @Test
    void smallFactorsBelowTheBoundAreFound() {
        BigInteger big = BigInteger.probablePrime(1024, TestCsrs.RANDOM);
        assertThat(WeakRsaModulus.hasSmallFactor(big.multiply(BigInteger.valueOf(3))))
                .isTrue();
        assertThat(WeakRsaModulus.hasSmallFactor(big.multiply(BigInteger.valueOf(9973))))
                .isTrue(); // largest prime < 10,000
        assertThat(WeakRsaModulus.hasSmallFactor(big.multiply(BigInteger.valueOf(10007))))
                .isFalse(); // smallest above
        assertThat(WeakRsaModulus.hasSmallFactor(big.shiftLeft(1))).isTrue();
    }
}
