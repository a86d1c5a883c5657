/**
 * Visible Digital Seals (ICAO Doc 9303-13, BSI TR-03137 Part 1, BSI TR-03171 for administrative
 * documents) for the temporary ID certificate (issue 24; docs/profiles.md "Temporary ID certificate
 * seal"): the C40 and Date encodings ({@link C40}, {@link SealDate}), the v4 header ({@link
 * SealHeader}), the whole seal with its message zone and plain r||s signature ({@link
 * VisibleDigitalSeal}), the temporary certificate's features ({@link TemporaryCertificateContent}),
 * signing in the token ({@link SealSigner}) and verification for offline verifiers ({@link
 * SealVerifier}).
 */
package tw.eid.pki.ca.document.seal;
