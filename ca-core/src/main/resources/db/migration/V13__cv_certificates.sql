-- V11: card-verifiable certificates (issue 22): every CV certificate we issue, and the agencies'
-- authorization records that terminal certificates are issued under.

-- An agency's authorization record: requested by an officer, approved by a supervisor (never the
-- same person: the CHECK below), suspended, resumed or revoked. Terminal certificates are issued
-- only while it is ACTIVE and never past end_date.
CREATE TABLE cv_agency_record (
  id                 BIGINT        NOT NULL AUTO_INCREMENT,
  agency             VARCHAR(200)  NOT NULL,
  legal_basis        VARCHAR(500)  NOT NULL,
  terminal_type      VARCHAR(2)    NOT NULL,
  rights             VARCHAR(1000) NOT NULL,            -- access right ids, comma-separated, sorted
  sector_key_hash    BINARY(32)    NULL,                -- terminal sector (restricted identification)
  description_der    VARBINARY(8192) NOT NULL,          -- the certificate description document
  max_validity_days  INT           NOT NULL,
  end_date           DATE          NOT NULL,
  holder_mnemonic    VARCHAR(9)    NOT NULL,            -- the terminal CHRs' mnemonic
  first_request      VARBINARY(4096) NOT NULL,          -- the terminal's first CV request
  status             VARCHAR(10)   NOT NULL,
  requested_by       VARCHAR(128)  NOT NULL,
  requested_at       DATETIME(6)   NOT NULL,
  decided_by         VARCHAR(128)  NULL,
  decided_at         DATETIME(6)   NULL,
  PRIMARY KEY (id),
  UNIQUE KEY cv_agency_record_mnemonic (holder_mnemonic),
  CONSTRAINT cv_agency_record_status CHECK (status IN ('REQUESTED', 'ACTIVE', 'SUSPENDED', 'REVOKED', 'REFUSED')),
  CONSTRAINT cv_agency_record_two_people CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CONSTRAINT cv_agency_record_validity CHECK (max_validity_days BETWEEN 1 AND 31),
  CONSTRAINT cv_agency_record_type CHECK (terminal_type IN ('AT', 'IS'))
);

-- Every CV certificate: CVCA, link, DV and terminal. key_use is the role a key is certified for
-- (NULL for a link certificate, whose key is the new CVCA's): a key is certified for a use once.
CREATE TABLE cv_certificate (
  id                 BIGINT        NOT NULL AUTO_INCREMENT,
  kind               VARCHAR(10)   NOT NULL,
  car                VARCHAR(16)   NOT NULL,
  chr                VARCHAR(16)   NOT NULL,
  terminal_type      VARCHAR(2)    NOT NULL,
  curve_oid          VARCHAR(64)   NOT NULL,            -- the chain's curve (a DV or terminal key carries no parameters)
  effective_date     DATE          NOT NULL,
  expiration_date    DATE          NOT NULL,
  public_key_sha256  BINARY(32)    NOT NULL,
  key_use            VARCHAR(10)   NULL,
  key_label          VARCHAR(128)  NULL,                -- our CVCA and DV keys: their token and label
  token_label        VARCHAR(64)   NULL,
  agency_record      BIGINT        NULL,
  der                VARBINARY(4096) NOT NULL,
  issued_at          DATETIME(6)   NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY cv_certificate_car_chr (car, chr),
  UNIQUE KEY cv_certificate_key_once (key_use, public_key_sha256),
  KEY cv_certificate_by_chr (chr),
  KEY cv_certificate_by_record (agency_record, expiration_date),
  CONSTRAINT cv_certificate_record FOREIGN KEY (agency_record) REFERENCES cv_agency_record (id),
  CONSTRAINT cv_certificate_kind CHECK (kind IN ('CVCA', 'LINK', 'DV', 'TERMINAL')),
  CONSTRAINT cv_certificate_dates CHECK (expiration_date >= effective_date)
);
