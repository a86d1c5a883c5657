-- V10: private keys that can no longer be used are destroyed in the token, and the store records
-- when. The row and its certificate stay: verifiers need the certificate, SODs and OCSP responses
-- name it.
--
-- Order, for crash safety: a key is first marked unusable in the store (ca.status 'RETIRED' for a
-- delegated OCSP signer, document_signer.state 'RETIRED' for a DS), which no process loads or
-- activates again; then destroyed in the token; then key_destroyed_at is set in the transaction
-- that audits the destruction. A row retired but without key_destroyed_at is finished by the next
-- run (the key destroyed if the token still holds it, recorded either way).

ALTER TABLE ca ADD COLUMN key_destroyed_at DATETIME(6) NULL,
  ADD CONSTRAINT ca_key_destroyed CHECK (key_destroyed_at IS NULL OR status = 'RETIRED');

ALTER TABLE document_signer ADD COLUMN key_destroyed_at DATETIME(6) NULL,
  ADD CONSTRAINT document_signer_key_destroyed CHECK (key_destroyed_at IS NULL OR state = 'RETIRED');
