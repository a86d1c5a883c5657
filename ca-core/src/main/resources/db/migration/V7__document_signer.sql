-- V7: the document signer (issue 6): the DS key pool, each card's SOD, and the CSCA master list.

-- The Document Signer key pool. A DS key is generated ahead of need in the online token (state
-- GENERATED, public key recorded), certified by the CSCA at a ceremony in batches (CERTIFIED, with
-- its certificate row in `certificate` under the CSCA), signs SODs while ACTIVE, and is RETIRED
-- when its private key usage period ends, its document count is reached, or `ds rotate` forces the
-- switch. At most one DS is ACTIVE at a time (the generated column below is unique). A DS whose
-- certificate is revoked is never used: the pool reads the certificate's status with the DS row.
CREATE TABLE document_signer (
  key_label         VARCHAR(128)  NOT NULL,            -- CKA_LABEL in the online token
  token_label       VARCHAR(64)   NOT NULL,
  public_key_der    VARBINARY(1024) NOT NULL,          -- SubjectPublicKeyInfo as generated
  public_key_sha256 BINARY(32)    NOT NULL,
  state             VARCHAR(10)   NOT NULL,
  ds_number         INT           NULL,                -- "Document Signer NNN" once certified
  csca_name         VARCHAR(64)   NULL,
  serial_hex        VARCHAR(40)   NULL,
  certificate_der   BLOB          NULL,
  usage_not_before  DATETIME(6)   NULL,                -- privateKeyUsagePeriod, inclusive
  usage_not_after   DATETIME(6)   NULL,
  max_documents     BIGINT        NOT NULL,
  documents_signed  BIGINT        NOT NULL,
  generated_at      DATETIME(6)   NOT NULL,
  certified_at      DATETIME(6)   NULL,
  activated_at      DATETIME(6)   NULL,
  retired_at        DATETIME(6)   NULL,
  retire_reason     VARCHAR(32)   NULL,
  active_marker     TINYINT AS (IF(state = 'ACTIVE', 1, NULL)) PERSISTENT,
  PRIMARY KEY (key_label),
  UNIQUE KEY document_signer_key (public_key_sha256),
  UNIQUE KEY document_signer_number (ds_number),
  UNIQUE KEY document_signer_one_active (active_marker),
  KEY document_signer_by_state (state, usage_not_before),
  CONSTRAINT document_signer_certificate FOREIGN KEY (csca_name, serial_hex)
    REFERENCES certificate (ca_name, serial_hex),
  CONSTRAINT document_signer_state CHECK (state IN ('GENERATED', 'CERTIFIED', 'ACTIVE', 'RETIRED')),
  CONSTRAINT document_signer_certified CHECK (
    state = 'GENERATED' OR (serial_hex IS NOT NULL AND certificate_der IS NOT NULL
                            AND usage_not_before IS NOT NULL AND usage_not_after IS NOT NULL)),
  CONSTRAINT document_signer_count CHECK (documents_signed >= 0 AND documents_signed <= max_documents
                                          AND max_documents >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A card's personalization state: REGISTERED cards may get one SOD, which makes them
-- PERSONALIZED; an officer's act re-opens a personalized card for one more SOD.
ALTER TABLE card ADD COLUMN personalizations INT NOT NULL DEFAULT 0;

-- Every SOD signed for a card, one per personalization, written in the same transaction as the
-- card's change to PERSONALIZED and the audit event, before the SOD is returned.
CREATE TABLE card_sod (
  card_number     VARCHAR(32)  NOT NULL,
  personalization INT          NOT NULL,
  ds_key_label    VARCHAR(128) NOT NULL,
  hash_algorithm  VARCHAR(16)  NOT NULL,
  data_groups     VARCHAR(64)  NOT NULL,               -- e.g. "1,2,14": numbers only, no hashes
  sod_sha256      BINARY(32)   NOT NULL,
  sod_der         BLOB         NOT NULL,               -- EF.SOD as returned (tag 0x77)
  created_at      DATETIME(6)  NOT NULL,
  PRIMARY KEY (card_number, personalization),
  CONSTRAINT card_sod_card FOREIGN KEY (card_number) REFERENCES card (card_number),
  CONSTRAINT card_sod_signer FOREIGN KEY (ds_key_label) REFERENCES document_signer (key_label),
  CONSTRAINT card_sod_personalization CHECK (personalization >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- CSCA master lists (ICAO 9303-12 §9), signed at a ceremony by the master-list signer; the newest
-- is served at /certs/csca-masterlist.ml.
CREATE TABLE master_list (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  signer_serial_hex VARCHAR(40) NOT NULL,
  csca_count INT          NOT NULL,
  der        BLOB         NOT NULL,                    -- ContentInfo (CMS SignedData)
  created_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
