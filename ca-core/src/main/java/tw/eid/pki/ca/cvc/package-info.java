/**
 * Card-verifiable certificates of BSI TR-03110 Extended Access Control (CVCA → Document Verifier →
 * terminal; docs/profiles.md "Card-verifiable certificates"): the ISO 7816-4 data objects of
 * certificates and requests, the CHAT, the TR-03139 validity ranges, and the CVCA's ceremony acts.
 */
package tw.eid.pki.ca.cvc;
