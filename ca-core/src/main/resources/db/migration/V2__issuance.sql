-- V2: what citizen issuance needs (RA API issue).

-- The subscriber id is the card's, shared by its signature and encryption certificates
-- (PROFILES.md: "same subject"); random, never derived from the national ID.
ALTER TABLE card ADD COLUMN subscriber_id VARCHAR(16) NULL,
  ADD UNIQUE KEY card_by_subscriber (subscriber_id);

-- CRL partitions of a CA (PROFILES.md, "CRLs"): a certificate's partition is fixed at issuance and
-- named in its CRL DP; a partition takes at most `capacity` certificates, then closes and the next
-- one opens, so that no CRL grows without bound. Numbered from 1 (0 is a CA's single CRL).
CREATE TABLE crl_partition (
  ca_name          VARCHAR(64)  NOT NULL,
  partition_number INT          NOT NULL,
  capacity         INT          NOT NULL,
  assigned         INT          NOT NULL,
  opened_at        DATETIME(6)  NOT NULL,
  closed_at        DATETIME(6)  NULL,
  PRIMARY KEY (ca_name, partition_number),
  CONSTRAINT crl_partition_ca FOREIGN KEY (ca_name) REFERENCES ca (name),
  CONSTRAINT crl_partition_number CHECK (partition_number >= 1),
  CONSTRAINT crl_partition_fill CHECK (assigned >= 0 AND assigned <= capacity AND capacity >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Idempotency-Key of issuance requests, per client: a retried request gets the same certificate
-- and never a second serial. The row is written with the serial before the token signs.
CREATE TABLE idempotency_key (
  actor          VARCHAR(128) NOT NULL,
  idem_key       VARCHAR(128) NOT NULL,
  request_sha256 BINARY(32)   NOT NULL,
  ca_name        VARCHAR(64)  NOT NULL,
  serial_hex     VARCHAR(40)  NOT NULL,
  created_at     DATETIME(6)  NOT NULL,
  PRIMARY KEY (actor, idem_key),
  CONSTRAINT idempotency_certificate FOREIGN KEY (ca_name, serial_hex) REFERENCES certificate (ca_name, serial_hex)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
