-- V1: the foundation schema of the eID CA store.
--
-- Conventions (keep them in later migrations):
--  * InnoDB, utf8mb4 with binary collation: names, serials and card numbers compare exactly,
--    never case- or accent-insensitively.
--  * Times are DATETIME(6) holding UTC with microseconds, written by the application from its
--    injected Clock (never NOW() or ON UPDATE CURRENT_TIMESTAMP: tests pin the clock, and a
--    Galera cluster's nodes must not disagree about the time of one write).
--  * Every table has a primary key (Galera replicates row events by key).
--  * Certificate serials are lower-case hex without leading zeros, the way they print.

-- A certificate authority or signer whose key lives in a PKCS#11 token.
CREATE TABLE ca (
  name            VARCHAR(64)   NOT NULL,            -- e.g. 'citizen-ca'
  kind            VARCHAR(32)   NOT NULL,            -- ROOT, ONLINE_CA, CSCA, DS, OCSP_SIGNER, ...
  subject_der     VARBINARY(1024) NOT NULL,          -- DER Name, to match issuers without parsing
  certificate_der BLOB          NULL,                -- null between key generation and certification
  key_label       VARCHAR(128)  NOT NULL,            -- CKA_LABEL of the key pair in the token
  token_label     VARCHAR(64)   NOT NULL,            -- which token holds it (offline / online)
  status          VARCHAR(16)   NOT NULL,
  created_at      DATETIME(6)   NOT NULL,
  PRIMARY KEY (name),
  CONSTRAINT ca_name_form CHECK (name REGEXP '^[a-z0-9][a-z0-9-]*$')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A citizen's card. Personal data is never stored in clear (ARCHITECTURE.md, security
-- baseline): the national ID number is found by a keyed hash and kept encrypted under a token key,
-- so the hash key can be rotated by re-hashing from the decrypted values.
CREATE TABLE card (
  card_number       VARCHAR(32)    NOT NULL,
  chip_uid          VARBINARY(32)  NULL,             -- not unique: chips may present random UIDs
  national_id_hmac  BINARY(32)     NOT NULL,         -- one citizen has successive cards
  national_id_enc   VARBINARY(512) NOT NULL,
  national_id_last4 CHAR(4)        NOT NULL,         -- for the RA officer's screen only
  name_enc          VARBINARY(2048) NOT NULL,
  status            VARCHAR(16)    NOT NULL,
  created_at        DATETIME(6)    NOT NULL,
  PRIMARY KEY (card_number),
  KEY card_by_national_id (national_id_hmac)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every certificate a CA has begun to issue. Two-phase issuance (STYLE.md #3): the row is written
-- with the linted to-be-signed bytes before the token signs; der stays null until then.
CREATE TABLE certificate (
  ca_name           VARCHAR(64)   NOT NULL,
  serial_hex        VARCHAR(40)   NOT NULL,          -- RFC 5280 §4.1.2.2: at most 20 octets
  profile           VARCHAR(64)   NOT NULL,          -- named, versioned profile (PROFILES.md)
  card_number       VARCHAR(32)   NULL,              -- null for officers, systems, signers
  status            VARCHAR(8)    NOT NULL,
  revocation_reason TINYINT UNSIGNED NULL,           -- RFC 5280 §5.3.1 CRLReason code
  revocation_time   DATETIME(6)   NULL,
  not_before        DATETIME(6)   NOT NULL,
  not_after         DATETIME(6)   NOT NULL,
  tbs_der           BLOB          NOT NULL,
  der               BLOB          NULL,
  public_key_sha256 BINARY(32)    NOT NULL,          -- SHA-256 of SubjectPublicKeyInfo DER
  crl_partition     INT           NULL,
  created_at        DATETIME(6)   NOT NULL,
  updated_at        DATETIME(6)   NOT NULL,
  PRIMARY KEY (ca_name, serial_hex),
  KEY certificate_by_public_key (public_key_sha256),
  KEY certificate_by_card (card_number),
  KEY certificate_by_partition (ca_name, crl_partition, status),
  CONSTRAINT certificate_ca FOREIGN KEY (ca_name) REFERENCES ca (name),
  CONSTRAINT certificate_card FOREIGN KEY (card_number) REFERENCES card (card_number),
  CONSTRAINT certificate_serial_form CHECK (serial_hex REGEXP '^[1-9a-f][0-9a-f]{0,39}$'),
  CONSTRAINT certificate_status CHECK (status IN ('GOOD', 'HOLD', 'REVOKED')),
  -- A certificate on hold or revoked has a revocation time; a good one has neither time nor reason.
  CONSTRAINT certificate_revocation CHECK (
    (status = 'GOOD' AND revocation_time IS NULL AND revocation_reason IS NULL)
    OR (status <> 'GOOD' AND revocation_time IS NOT NULL)),
  CONSTRAINT certificate_reason CHECK (revocation_reason IS NULL OR revocation_reason IN (0, 1, 2, 3, 4, 5, 6, 8, 9, 10)),
  CONSTRAINT certificate_validity CHECK (not_before < not_after)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The status change log: one row per suspend / resume / revoke, written in the same transaction as
-- the certificate update. The OCSP updater and the CRL publisher follow it by id.
-- Caution for followers: AUTO_INCREMENT ids are allocated at insert, not at commit, so a row with
-- a lower id can become visible after a higher one, and Galera leaves gaps
-- (auto_increment_increment = cluster size). Re-read a window behind the last id seen.
CREATE TABLE status_change (
  id         BIGINT       NOT NULL AUTO_INCREMENT,
  ca_name    VARCHAR(64)  NOT NULL,
  serial_hex VARCHAR(40)  NOT NULL,
  old_status VARCHAR(8)   NOT NULL,
  new_status VARCHAR(8)   NOT NULL,
  reason     TINYINT UNSIGNED NULL,
  changed_at DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  KEY status_change_by_certificate (ca_name, serial_hex),
  CONSTRAINT status_change_certificate FOREIGN KEY (ca_name, serial_hex)
    REFERENCES certificate (ca_name, serial_hex),
  CONSTRAINT status_change_old CHECK (old_status IN ('GOOD', 'HOLD', 'REVOKED')),
  CONSTRAINT status_change_new CHECK (new_status IN ('GOOD', 'HOLD', 'REVOKED'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every CRL published. crl_partition 0 is the whole CA (unpartitioned).
-- The number is unique per (CA, partition) regardless of is_delta: RFC 5280 §5.2.3 says complete
-- and delta CRLs for one scope share one numbering sequence.
CREATE TABLE crl (
  id            BIGINT       NOT NULL AUTO_INCREMENT,
  ca_name       VARCHAR(64)  NOT NULL,
  crl_partition INT          NOT NULL,
  crl_number    BIGINT       NOT NULL,
  this_update   DATETIME(6)  NOT NULL,
  next_update   DATETIME(6)  NOT NULL,
  is_delta      BOOLEAN      NOT NULL,
  base_number   BIGINT       NULL,                   -- RFC 5280 §5.2.4 BaseCRLNumber, deltas only
  der           LONGBLOB     NOT NULL,
  created_at    DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY crl_number_once (ca_name, crl_partition, crl_number),
  KEY crl_latest (ca_name, crl_partition, is_delta, crl_number),
  CONSTRAINT crl_ca FOREIGN KEY (ca_name) REFERENCES ca (name),
  CONSTRAINT crl_partition_range CHECK (crl_partition >= 0),
  CONSTRAINT crl_number_range CHECK (crl_number >= 0),
  CONSTRAINT crl_delta_base CHECK ((is_delta AND base_number IS NOT NULL AND base_number < crl_number)
                                   OR (NOT is_delta AND base_number IS NULL)),
  CONSTRAINT crl_update_order CHECK (this_update < next_update)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The next CRL number per (CA, partition), taken with SELECT ... FOR UPDATE so numbers are
-- strictly increasing even with several publishers.
CREATE TABLE crl_number_seq (
  ca_name       VARCHAR(64) NOT NULL,
  crl_partition INT         NOT NULL,
  next_number   BIGINT      NOT NULL,
  PRIMARY KEY (ca_name, crl_partition),
  CONSTRAINT crl_number_seq_ca FOREIGN KEY (ca_name) REFERENCES ca (name),
  CONSTRAINT crl_number_seq_range CHECK (next_number >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The audit ledger (tw.eid.pki.ca.audit). seq is allocated by the application under the lock on
-- audit_head, not by AUTO_INCREMENT (which skips values on rollback and under Galera), so the
-- sequence is gap-free and a gap means a deleted row. hash = SHA-256(prev_hash || canonical
-- encoding of the row); the encoding is specified in AuditChainHash.java.
-- details is MariaDB JSON, i.e. LONGTEXT checked by JSON_VALID: MariaDB keeps the text as written
-- (unlike MySQL's binary JSON), which the hash depends on.
CREATE TABLE audit_event (
  seq         BIGINT       NOT NULL,
  event_time  DATETIME(6)  NOT NULL,
  actor       VARCHAR(128) NOT NULL,                 -- an id, never personal data
  action      VARCHAR(64)  NOT NULL,
  target      VARCHAR(255) NULL,
  result      VARCHAR(8)   NOT NULL,
  source_addr VARCHAR(64)  NULL,
  dest_addr   VARCHAR(64)  NULL,
  error_code  VARCHAR(64)  NULL,
  details     JSON         NULL,
  prev_hash   BINARY(32)   NOT NULL,
  hash        BINARY(32)   NOT NULL,
  PRIMARY KEY (seq),
  KEY audit_event_by_time (event_time),
  KEY audit_event_by_actor (actor, event_time),
  CONSTRAINT audit_event_seq_range CHECK (seq > 0),
  CONSTRAINT audit_event_result CHECK (result IN ('SUCCESS', 'FAILURE', 'REFUSED'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Refuse UPDATE and DELETE on the ledger. This stops mistakes, not an attacker with DDL rights
-- (who can drop the trigger); that is what the hash chain and the signed checkpoints are for.
-- In production the service account also gets only INSERT and SELECT on these tables.
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_event is append-only';
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_event is append-only';

-- The chain head: one row, locked FOR UPDATE by every append. Holding the last seq and hash here
-- (rather than reading MAX(seq)) gives appenders one row to queue on, and under Galera two nodes
-- appending at once conflict on this row at certification, so one of them retries.
CREATE TABLE audit_head (
  id        TINYINT    NOT NULL,
  last_seq  BIGINT     NOT NULL,
  last_hash BINARY(32) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT audit_head_single_row CHECK (id = 1),
  CONSTRAINT audit_head_seq_range CHECK (last_seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Genesis: no events yet, and the first event's prev_hash is 32 zero bytes.
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, REPEAT(X'00', 32));

-- Signed checkpoints of the chain head. A checkpoint seals everything up to seq: rewriting any
-- earlier row, even with every later hash recomputed, no longer reproduces head_hash. The signed
-- bytes are specified in AuditChainHash.java.
CREATE TABLE audit_checkpoint (
  id                  BIGINT          NOT NULL AUTO_INCREMENT,
  seq                 BIGINT          NOT NULL,
  head_hash           BINARY(32)      NOT NULL,
  signed_at           DATETIME(6)     NOT NULL,
  signature_algorithm VARBINARY(255)  NOT NULL,     -- DER AlgorithmIdentifier
  signature           VARBINARY(2048) NOT NULL,
  signer_key_label    VARCHAR(128)    NOT NULL,
  PRIMARY KEY (id),
  KEY audit_checkpoint_by_seq (seq),
  CONSTRAINT audit_checkpoint_seq_range CHECK (seq >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_checkpoint is append-only';
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_checkpoint is append-only';

-- Key ceremonies: the SHA-256 of the reviewed ceremony file and the transcript of what was done.
CREATE TABLE ceremony (
  id          BIGINT      NOT NULL AUTO_INCREMENT,
  file_sha256 BINARY(32)  NOT NULL,
  transcript  JSON        NOT NULL,
  created_at  DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY ceremony_by_file (file_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
