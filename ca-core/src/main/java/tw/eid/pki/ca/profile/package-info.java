/**
 * Certificate and CRL profiles as code (PROFILES.md), and the two-phase issuance that applies
 * them at key ceremonies and in the online CAs.
 *
 * <p>The door into this package: {@link tw.eid.pki.ca.profile.CertificateIssuance} (prepare and
 * lint a to-be-signed certificate, then sign it with a token's {@code ContentSigner}),
 * {@link tw.eid.pki.ca.profile.OfflineCrls} (the Citizen Root ARL and the CSCA CRL signed at
 * ceremonies), the lints {@link tw.eid.pki.ca.profile.ProfileLint} and
 * {@link tw.eid.pki.ca.profile.CrlLint}, and the settings records
 * {@link tw.eid.pki.ca.profile.ProfileSettings} and {@link tw.eid.pki.ca.profile.PkiNames}.
 * The profiles themselves are the enums {@link tw.eid.pki.ca.profile.CertificateProfile} and
 * {@link tw.eid.pki.ca.profile.CrlProfile}; their rules are package-private so that callers
 * cannot bend them.
 *
 * <p>For the RA API: {@link tw.eid.pki.ca.profile.CertificateRequest#citizen}, {@link
 * tw.eid.pki.ca.profile.CertificateRequest#operator} and {@link
 * tw.eid.pki.ca.profile.CertificateRequest#raTlsServer} build requests from registration data;
 * {@link tw.eid.pki.ca.profile.HolderName} checks a holder's name (refusals are {@link
 * tw.eid.pki.ca.profile.InvalidHolderNameException}, HTTP 422), {@link
 * tw.eid.pki.ca.profile.SubscriberIds} makes subscriber ids, and {@link
 * tw.eid.pki.ca.profile.OperatorRole} names the roles an operator certificate carries.
 */
package tw.eid.pki.ca.profile;
