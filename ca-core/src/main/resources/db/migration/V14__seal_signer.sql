-- V11: seal signers of the temporary ID certificate (issue 24). They are keys of the Document Signer
-- pool with another purpose: generated ahead in the online token, certified by the CSCA at a ceremony
-- (profile seal-signer), used one at a time within their usage period and count, rotated and
-- retired by the same code (DocumentSignerPool, DocumentSignerCeremony, DocumentSignerRetirement).
-- Each purpose has its own ACTIVE signer and its own numbering ("Document Signer 001", "Seal Signer 001").
ALTER TABLE document_signer ADD COLUMN purpose VARCHAR(8) NOT NULL DEFAULT 'SOD' AFTER token_label;
ALTER TABLE document_signer ADD CONSTRAINT document_signer_purpose CHECK (purpose IN ('SOD', 'SEAL'));
ALTER TABLE document_signer DROP INDEX document_signer_one_active;
ALTER TABLE document_signer ADD UNIQUE KEY document_signer_one_active (purpose, active_marker);
ALTER TABLE document_signer DROP INDEX document_signer_number;
ALTER TABLE document_signer ADD UNIQUE KEY document_signer_number (purpose, ds_number);
