-- V12 (issue 24): a card's birth date (sealed like the name), the card re-issue state, and the
-- temporary ID certificates given while a card is re-made.

-- AES-GCM in the token, as name_enc; NULL for cards registered before it was asked.
ALTER TABLE card ADD COLUMN birth_date_enc VARBINARY(512) NULL AFTER name_enc;

-- A re-issue of a card: started by an officer with the new card's expected delivery date; ended when
-- the successor card is registered (SUCCESSOR) or the re-issue is cancelled (CANCELLED). At most one
-- open re-issue per card (the generated column below is unique). Ending one revokes the card's
-- temporary certificates in the same transaction.
CREATE TABLE card_reissue (
  id                 BIGINT       NOT NULL AUTO_INCREMENT,
  card_number        VARCHAR(32)  NOT NULL,
  expected_delivery  DATE         NOT NULL,
  started_at         DATETIME(6)  NOT NULL,
  started_by         VARCHAR(128) NOT NULL,
  ended_at           DATETIME(6)  NULL,
  end_reason         VARCHAR(16)  NULL,
  successor_card     VARCHAR(32)  NULL,
  open_marker        TINYINT AS (IF(ended_at IS NULL, 1, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY card_reissue_one_open (card_number, open_marker),
  CONSTRAINT card_reissue_card FOREIGN KEY (card_number) REFERENCES card (card_number),
  CONSTRAINT card_reissue_successor FOREIGN KEY (successor_card) REFERENCES card (card_number),
  CONSTRAINT card_reissue_end CHECK (
    (ended_at IS NULL AND end_reason IS NULL AND successor_card IS NULL)
    OR (ended_at IS NOT NULL AND end_reason = 'CANCELLED' AND successor_card IS NULL)
    OR (ended_at IS NOT NULL AND end_reason = 'SUCCESSOR' AND successor_card IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every temporary ID certificate, stored with its seal before the seal is handed out. The holder's
-- data is not copied here: it is in the seal (which the holder carries) and in the card's sealed
-- columns.
CREATE TABLE temporary_certificate (
  number             VARCHAR(20)  NOT NULL,           -- the seal's document number, e.g. TC2028000001
  card_number        VARCHAR(32)  NOT NULL,
  reissue_id         BIGINT       NOT NULL,
  valid_from         DATE         NOT NULL,
  valid_until        DATE         NOT NULL,
  office_code        VARCHAR(12)  NOT NULL,
  signer_key_label   VARCHAR(128) NOT NULL,
  seal               VARBINARY(1024) NOT NULL,
  seal_sha256        BINARY(32)   NOT NULL,
  status             VARCHAR(8)   NOT NULL,
  revocation_reason  VARCHAR(32)  NULL,
  revoked_at         DATETIME(6)  NULL,
  created_at         DATETIME(6)  NOT NULL,
  created_by         VARCHAR(128) NOT NULL,
  PRIMARY KEY (number),
  KEY temporary_certificate_by_card (card_number),
  CONSTRAINT temporary_certificate_card FOREIGN KEY (card_number) REFERENCES card (card_number),
  CONSTRAINT temporary_certificate_reissue FOREIGN KEY (reissue_id) REFERENCES card_reissue (id),
  CONSTRAINT temporary_certificate_signer FOREIGN KEY (signer_key_label) REFERENCES document_signer (key_label),
  CONSTRAINT temporary_certificate_status CHECK (
    (status = 'GOOD' AND revoked_at IS NULL AND revocation_reason IS NULL)
    OR (status = 'REVOKED' AND revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)),
  CONSTRAINT temporary_certificate_validity CHECK (valid_until >= valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE temporary_certificate_seq (
  id BIGINT NOT NULL AUTO_INCREMENT,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
