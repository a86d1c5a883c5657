/**
 * Checks on the PKCS#10 requests that card chips generate on-chip (docs/architecture.md, "How a
 * request flows": parse CSR, verify proof of possession, key policy).
 *
 * <p>The door into this package: {@link ChipCsrChecks#check(byte[])}, which
 * returns a {@link VerifiedCsr} or throws
 * {@link CsrRejectedException} with a stable code (400 or 422 at the edge);
 * the limits are {@link CsrLimits}. The DER pre-scanner, the key and signature
 * policies and the weak-modulus tests are package-private.
 */
package tw.eid.pki.ca.csr;
