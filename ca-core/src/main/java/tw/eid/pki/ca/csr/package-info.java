/**
 * Checks on the PKCS#10 requests that card chips generate on-chip (ARCHITECTURE.md, "How a
 * request flows": parse CSR, verify proof of possession, key policy).
 *
 * <p>The door into this package: {@link tw.eid.pki.ca.csr.ChipCsrChecks#check(byte[])}, which
 * returns a {@link tw.eid.pki.ca.csr.VerifiedCsr} or throws
 * {@link tw.eid.pki.ca.csr.CsrRejectedException} with a stable code (400 or 422 at the edge);
 * the limits are {@link tw.eid.pki.ca.csr.CsrLimits}. The DER pre-scanner, the key and signature
 * policies and the weak-modulus tests are package-private.
 */
package tw.eid.pki.ca.csr;
