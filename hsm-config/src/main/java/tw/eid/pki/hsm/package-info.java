/**
 * PKCS#11 tokens: provider set-up, on-token key generation, signing through a bounded session
 * pool, failure recovery. No private key object leaves this package.
 */
package tw.eid.pki.hsm;
