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
 */
package tw.eid.pki.ca.profile;
