package tw.eid.pki.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.junit.jupiter.api.Test;

/**
 * The memory cache source alone, on a real {@link ResponseCache}: what it serves, what it passes
 * on (with the invalidation sequence and, while the status change log is current, the statuses it
 * holds), and what it keeps of the answer that comes back. The next source only records what it is
 * given and answers what the test says.
 */
class MemoryCacheSourceTest {
    static final Instant NOW = RequestChecksTest.NOW;
    static final OcspAuthority CA = RequestChecksTest.CA;
    static final OcspResponder.Row GOOD = new OcspResponder.Row(CertificateStatus.GOOD);

    final ResponseCache cache = new ResponseCache(100);
    final List<OcspQuery> passed = new ArrayList<>();
    Instant statusLogReadAt = Instant.MIN;
    ResponseSource.Sourced next;
    Runnable whileNextAnswers = () -> {};
    final MemoryCacheSource memory = new MemoryCacheSource(cache, () -> statusLogReadAt, q -> {
        passed.add(q);
        whileNextAnswers.run();
        return next;
    });
    int signatures;

    /** A successful answer made at {@code thisUpdate}, valid 24 hours (fresh for 12). */
    OcspAnswer signed(Instant thisUpdate) {
        return new OcspAnswer(
                new byte[] {0x30, (byte) ++signatures}, 0, thisUpdate, thisUpdate.plus(Duration.ofHours(24)));
    }

    static OcspQuery query(Instant now, Extension nonce, BigInteger... serials) throws Exception {
        return RequestChecksTest.query(CA, now, nonce, serials);
    }

    static OcspQuery query(Instant now, BigInteger serial) throws Exception {
        return query(now, null, serial);
    }

    static Extension nonce(int n) throws Exception {
        return RequestChecksTest.nonce(n).getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
    }

    @Test
    void aMissIsPassedOnAndWhatComesBackIsServedUntilHalfItsValidity() throws Exception {
        OcspAnswer answer = signed(NOW);
        next = new ResponseSource.Sourced(answer, GOOD);
        OcspQuery q = query(NOW, BigInteger.TEN);
        long sequence = cache.sequence();

        assertThat(memory.answer(q).answer()).isSameAs(answer);
        assertThat(passed).hasSize(1);
        assertThat(passed.get(0).sequence()).isEqualTo(sequence);
        assertThat(passed.get(0).statuses()).isNull(); // the status log was never read: the store decides
        assertThat(memory.answer(query(NOW.plusSeconds(60), BigInteger.TEN)).answer())
                .isSameAs(answer);
        assertThat(memory.fromMemory(q.der(), NOW.plusSeconds(60))).isSameAs(answer); // by its bytes, unparsed
        assertThat(passed).hasSize(1);

        Instant half = NOW.plus(Duration.ofHours(12));
        assertThat(memory.fromMemory(q.der(), half)).isNull();
        memory.answer(query(half, BigInteger.TEN));
        assertThat(passed).hasSize(2);
    }

    @Test
    void anAnswerMadeFromAReadOlderThanAnInvalidationIsNotKept() throws Exception {
        OcspQuery q = query(NOW, BigInteger.TEN);
        next = new ResponseSource.Sourced(signed(NOW), GOOD);
        // The status log names the certificate after the read began, before the answer is kept.
        whileNextAnswers = () -> cache.invalidate(CA.caName(), "a");
        assertThat(memory.answer(q).answer().successful()).isTrue();
        assertThat(memory.fromMemory(q.der(), NOW)).isNull();
        assertThat(cache.status(q.cacheKey(), NOW)).isNull();

        whileNextAnswers = () -> {};
        OcspAnswer after = signed(NOW);
        next = new ResponseSource.Sourced(after, GOOD);
        assertThat(memory.answer(q).answer()).isSameAs(after);
        assertThat(passed).hasSize(2);
        assertThat(passed.get(1).sequence()).isEqualTo(passed.get(0).sequence() + 1);
        assertThat(memory.answer(q).answer()).isSameAs(after); // kept this time
        cache.invalidate(CA.caName(), "a"); // and dropped when the log names it
        memory.answer(q);
        assertThat(passed).hasSize(3);
    }

    @Test
    void anAnswerAboutASerialNeverIssuedIsKeptApartAndBriefly() throws Exception {
        OcspAnswer unknown = signed(NOW);
        next = new ResponseSource.Sourced(unknown, null);
        memory.answer(query(NOW, BigInteger.TEN));
        assertThat(cache.neverIssuedSize()).isEqualTo(1);
        assertThat(cache.size()).isZero();
        assertThat(cache.status(ResponseCache.key(CA.caName(), "a"), NOW)).isNull(); // never offered as a status
        Instant almost = NOW.plus(OcspResponder.NEVER_ISSUED_FRESH).minusMillis(1);
        assertThat(memory.answer(query(almost, BigInteger.TEN)).answer()).isSameAs(unknown);
        assertThat(passed).hasSize(1);
        memory.answer(query(NOW.plus(OcspResponder.NEVER_ISSUED_FRESH), BigInteger.TEN));
        assertThat(passed).hasSize(2);
    }

    @Test
    void errorsAndSerialsNoCertificateCanCarryAreNotKept() throws Exception {
        next = ResponseSource.Sourced.error(OCSPRespBuilder.TRY_LATER);
        OcspQuery q = query(NOW, BigInteger.TEN);
        assertThat(memory.answer(q).answer().responseStatus()).isEqualTo(3);
        memory.answer(q);
        assertThat(passed).hasSize(2);

        next = new ResponseSource.Sourced(signed(NOW), null);
        OcspQuery zero = query(NOW, BigInteger.ZERO);
        memory.answer(zero);
        memory.answer(zero);
        assertThat(passed).hasSize(4);
        assertThat(cache.size() + cache.neverIssuedSize()).isZero();
    }

    @Test
    void aRequestWithANonceOrSeveralCertIdsIsNeverServedFromMemoryNorKept() throws Exception {
        OcspAnswer plain = signed(NOW);
        next = new ResponseSource.Sourced(plain, GOOD);
        memory.answer(query(NOW, BigInteger.TEN));

        next = new ResponseSource.Sourced(signed(NOW), GOOD);
        OcspQuery withNonce = query(NOW, nonce(8), BigInteger.TEN);
        memory.answer(withNonce);
        memory.answer(withNonce);
        OcspQuery two = query(NOW, null, BigInteger.TEN, BigInteger.TWO);
        memory.answer(two);
        memory.answer(two);
        assertThat(passed).hasSize(5);
        assertThat(memory.answer(query(NOW, BigInteger.TEN)).answer()).isSameAs(plain); // not replaced
        assertThat(memory.fromMemory(withNonce.der(), NOW)).isNull();
    }

    @Test
    void statusesHeldInMemoryArePassedOnOnlyWhileTheStatusLogIsCurrent() throws Exception {
        next = new ResponseSource.Sourced(signed(NOW), GOOD);
        memory.answer(query(NOW, BigInteger.TEN)); // GOOD kept with its answer
        OcspResponder.Row hold = new OcspResponder.Row(OcspResponder.revokedStatus(NOW, 6));
        cache.put(
                ResponseCache.key(CA.caName(), "2"),
                ResponseCache.STATUS_ONLY,
                new ResponseCache.Entry(null, NOW.plusSeconds(60), hold),
                cache.sequence()); // as a store read keeps it
        OcspQuery both = query(NOW, nonce(4), BigInteger.TEN, BigInteger.TWO);

        memory.answer(both);
        assertThat(passed.get(1).statuses()).isNull(); // log never read

        statusLogReadAt = NOW.minus(OcspResponder.STATUS_LOG_CURRENT);
        memory.answer(both);
        assertThat(passed.get(2).statuses()).isEqualTo(Map.of("a", GOOD, "2", hold));

        statusLogReadAt = NOW.minus(OcspResponder.STATUS_LOG_CURRENT).minusMillis(1);
        memory.answer(both);
        assertThat(passed.get(3).statuses()).isNull(); // the log is behind: the store is read

        statusLogReadAt = NOW;
        memory.answer(query(NOW, nonce(4), BigInteger.TEN, BigInteger.valueOf(3)));
        assertThat(passed.get(4).statuses()).isNull(); // one of them not in memory
        cache.invalidate(CA.caName(), "2");
        memory.answer(both);
        assertThat(passed.get(5).statuses()).isNull(); // dropped by the log
    }

    @Test
    void onceTheLogIsFollowedAKeptAnswerIsServedOnlyWhileTheLogIsCurrent() throws Exception {
        OcspAnswer answer = signed(NOW);
        next = new ResponseSource.Sourced(answer, GOOD);
        OcspQuery q = query(NOW, BigInteger.TEN);
        statusLogReadAt = NOW;
        assertThat(memory.answer(q).answer()).isSameAs(answer);
        assertThat(passed).hasSize(1);

        Instant current = NOW.plus(OcspResponder.STATUS_LOG_CURRENT);
        assertThat(memory.fromMemory(q.der(), current)).isSameAs(answer);
        assertThat(memory.answer(query(current, BigInteger.TEN)).answer()).isSameAs(answer);
        assertThat(passed).hasSize(1);

        // The follower stopped reading (its node cut off from the cluster): memory no longer vouches.
        Instant behind = current.plusMillis(1);
        assertThat(memory.fromMemory(q.der(), behind)).isNull();
        OcspAnswer tryLater = new OcspAnswer(new byte[] {0x30, 0x03}, OCSPRespBuilder.TRY_LATER, null, null);
        next = new ResponseSource.Sourced(tryLater, null);
        assertThat(memory.answer(query(behind, BigInteger.TEN)).answer()).isSameAs(tryLater);
        assertThat(passed).hasSize(2);

        statusLogReadAt = behind; // reading again: memory serves what it kept
        assertThat(memory.fromMemory(q.der(), behind)).isSameAs(answer);
    }
}
