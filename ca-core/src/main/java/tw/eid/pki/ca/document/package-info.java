/**
 * The document side (ICAO Doc 9303 passive authentication, PROFILES.md "Document side"): each
 * card's security object (SOD) signed by the current Document Signer from a pool of DS keys in
 * the online token ({@link tw.eid.pki.ca.document.SodIssuer}, {@link
 * tw.eid.pki.ca.document.DocumentSignerPool}), the ceremony that certifies DS keys in batches with
 * the offline CSCA ({@link tw.eid.pki.ca.document.DocumentSignerCeremony}), the CSCA key rollover
 * with its link certificate ({@link tw.eid.pki.ca.document.CscaRollover}), the CSCA master list
 * ({@link tw.eid.pki.ca.document.MasterLists}), and the CMS bytes of SODs and master lists
 * ({@link tw.eid.pki.ca.document.SecurityObjects}).
 */
package tw.eid.pki.ca.document;
