package tw.eid.pki.ca.profile;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * The RA API's certificates over {@link TestPki}'s CAs, with software keys and the leaf clock:
 * citizen certificates from the Citizen CA, operator and TLS server certificates from the RA
 * Operators CA.
 */
final class EndEntityFixture {

    /** A made-up national ID (right shape, right check digit) that must never appear in a certificate. */
    static final String NATIONAL_ID = "A123456789";

    static final String LAST4 = "6789";
    static final String SUBSCRIBER_ID = "7K3M9XQ2HV4TN8RW";
    static final int PARTITION = 7;
    /** A rare character of the household registration, in plane 15, and one in the BMP's PUA. */
    static final int PUA_PLANE15 = 0xF0001;

    static final int PUA_BMP = 0xE8A0;

    final TestPki pki = TestPki.ec();
    final ProfileSettings settings = pki.settings.withHolderNamePrivateUse(Set.of(PUA_PLANE15, PUA_BMP));

    CertificateIssuance issuance(Instant at) {
        return new CertificateIssuance(settings, java.time.Clock.fixed(at, java.time.ZoneOffset.UTC), TestPki.RANDOM);
    }

    CaCertificate citizenCa() {
        return pki.citizenCaCa();
    }

    CaCertificate raOperatorsCa() {
        return new CaCertificate(CertificateProfile.RA_OPERATORS_CA, pki.raOperatorsCa);
    }

    HolderName name(String raw) {
        return HolderName.of(raw, settings.holderNamePrivateUse());
    }

    CertificateRequest.Citizen citizen(String rawName, Instant firstIssuance) {
        return new CertificateRequest.Citizen(name(rawName), SUBSCRIBER_ID, LAST4, PARTITION, firstIssuance);
    }

    CertificateRequest citizenRequest(
            CertificateProfile profile, KeyPair chipKey, String rawName, Instant firstIssuance) {
        return CertificateRequest.citizen(profile, citizen(rawName, firstIssuance), TestPki.spki(chipKey));
    }

    X509CertificateHolder issueCitizen(CertificateRequest request) {
        CertificateIssuance at = issuance(TestPki.T_LEAF);
        return at.issue(at.prepare(request, citizenCa()), TestPki.signer(pki.citizenCaKey));
    }

    CertificateRequest operatorRequest(KeyPair key, OperatorRole role) {
        return CertificateRequest.operator(
                settings.names(), new CertificateRequest.Operator("officer-0042", "大安區戶政事務所", role), TestPki.spki(key));
    }

    CertificateRequest tlsRequest(KeyPair key) {
        return CertificateRequest.raTlsServer(
                settings.names(),
                new CertificateRequest.RaTlsServer(List.of("localhost", "127.0.0.1", "::1")),
                TestPki.spki(key));
    }

    X509CertificateHolder issueByRaOperatorsCa(CertificateRequest request) {
        CertificateIssuance at = issuance(TestPki.T_LEAF);
        return at.issue(at.prepare(request, raOperatorsCa()), TestPki.signer(pki.raKey));
    }
}
