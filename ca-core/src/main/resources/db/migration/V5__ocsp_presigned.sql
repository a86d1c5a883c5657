-- Pre-signed OCSP responses (issue 4): one per certificate, for its SHA-1 CertID without a nonce
-- (what RFC 5019 clients send). Written by the single OCSP updater (the holder of the lease
-- below); read by every responder, which serves a row only while the certificate's current
-- status, reason and revocation time equal the ones the row was signed for, and only before half
-- of its validity: a row the updater has not caught up with is never served.
CREATE TABLE ocsp_response (
  ca_name           VARCHAR(64)   NOT NULL,
  serial_hex        VARCHAR(40)   NOT NULL,
  status            VARCHAR(8)    NOT NULL,          -- the certificate's status it was signed for
  revocation_reason TINYINT UNSIGNED NULL,
  revocation_time   DATETIME(6)   NULL,
  this_update       DATETIME(6)   NOT NULL,
  next_update       DATETIME(6)   NOT NULL,
  response_der      BLOB          NOT NULL,          -- the whole OCSPResponse
  PRIMARY KEY (ca_name, serial_hex),
  KEY ocsp_response_by_this_update (this_update),
  CONSTRAINT ocsp_response_certificate FOREIGN KEY (ca_name, serial_hex)
    REFERENCES certificate (ca_name, serial_hex),
  CONSTRAINT ocsp_response_status CHECK (status IN ('GOOD', 'HOLD', 'REVOKED'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The updater's leader lease: whoever holds an unexpired lease signs; the others wait. A row
-- update, not GET_LOCK(), because Galera does not replicate GET_LOCK.
CREATE TABLE ocsp_updater_lease (
  id          TINYINT       NOT NULL,
  owner       VARCHAR(128)  NULL,
  lease_until DATETIME(6)   NULL,
  PRIMARY KEY (id),
  CONSTRAINT ocsp_updater_lease_one CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO ocsp_updater_lease (id, owner, lease_until) VALUES (1, NULL, NULL);

-- The updater follows certificates by updated_at (issuance's final write and every status change
-- move it).
CREATE INDEX certificate_by_update ON certificate (updated_at);
