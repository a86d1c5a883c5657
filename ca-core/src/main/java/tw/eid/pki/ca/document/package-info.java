/**
 * The document side (ICAO Doc 9303 passive authentication, docs/profiles.md "Document side"): each
 * card's security object (SOD) signed by the current Document Signer from a pool of DS keys in
 * the online token ({@link SodIssuer}, {@link
 * DocumentSignerPool}), the ceremony that certifies DS keys in batches with
 * the offline CSCA ({@link DocumentSignerCeremony}), the CSCA key rollover
 * with its link certificate ({@link CscaRollover}), the CSCA master list
 * ({@link MasterLists}), and the CMS bytes of SODs and master lists
 * ({@link SecurityObjects}).
 */
package tw.eid.pki.ca.document;
