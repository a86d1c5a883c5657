/**
 * Certificate and CRL profiles as code (docs/profiles.md), and the two-phase issuance that applies
 * them at key ceremonies and in the online CAs.
 *
 * <p>The door into this package: {@link CertificateIssuance} (prepare and
 * lint a to-be-signed certificate, then sign it with a token's {@code ContentSigner}),
 * {@link OfflineCrls} (the Citizen Root ARL and the CSCA CRL signed at
 * ceremonies), the lints {@link ProfileLint} and
 * {@link CrlLint}, and the settings records
 * {@link ProfileSettings} and {@link PkiNames}.
 * The profiles themselves are the enums {@link CertificateProfile} and
 * {@link CrlProfile}; their rules are package-private so that callers
 * cannot bend them.
 *
 * <p>For the RA API: {@link CertificateRequest#citizen}, {@link
 * CertificateRequest#operator} and {@link
 * CertificateRequest#raTlsServer} build requests from registration data;
 * {@link HolderName} checks a holder's name (refusals are {@link
 * InvalidHolderNameException}, HTTP 422), {@link
 * SubscriberIds} makes subscriber ids, and {@link
 * OperatorRole} names the roles an operator certificate carries.
 */
package tw.eid.pki.ca.profile;
