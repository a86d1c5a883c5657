-- V17 (issue 25): loss reports and the card-status query's per-ID lock-out.

-- A loss report: it made the card LOST and put the card's good certificates on hold (which ones:
-- card_loss_report_hold). At most one open (not withdrawn) report per card. Withdrawn only by an
-- officer, only while the card is not REPLACED; the withdrawal resumes exactly the holds it lists.
CREATE TABLE card_loss_report (
  id            BIGINT       NOT NULL AUTO_INCREMENT,  -- the report's number is LR + 10 digits of it
  card_number   VARCHAR(32)  NOT NULL,
  channel       VARCHAR(16)  NOT NULL,                 -- officer (the hotline and online channels: issue 25, later)
  reported_at   DATETIME(6)  NOT NULL,                 -- also the revocation_time of every hold it made
  reported_by   VARCHAR(128) NOT NULL,
  withdrawn_at  DATETIME(6)  NULL,
  withdrawn_by  VARCHAR(128) NULL,
  open_marker   TINYINT AS (IF(withdrawn_at IS NULL, 1, NULL)) PERSISTENT,
  PRIMARY KEY (id),
  UNIQUE KEY card_loss_report_one_open (card_number, open_marker),
  CONSTRAINT card_loss_report_card FOREIGN KEY (card_number) REFERENCES card (card_number),
  CONSTRAINT card_loss_report_withdrawal CHECK (
    (withdrawn_at IS NULL AND withdrawn_by IS NULL) OR (withdrawn_at IS NOT NULL AND withdrawn_by IS NOT NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The certificates a loss report put on hold (good when it was made).
CREATE TABLE card_loss_report_hold (
  report_id   BIGINT       NOT NULL,
  ca_name     VARCHAR(64)  NOT NULL,
  serial_hex  VARCHAR(40)  NOT NULL,
  PRIMARY KEY (report_id, ca_name, serial_hex),
  CONSTRAINT card_loss_report_hold_report FOREIGN KEY (report_id) REFERENCES card_loss_report (id),
  CONSTRAINT card_loss_report_hold_certificate FOREIGN KEY (ca_name, serial_hex)
    REFERENCES certificate (ca_name, serial_hex)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The card-status query's wrong answers per national ID (its look-up HMAC, never the ID) and
-- Taiwan calendar day: the third locks the ID until 00:00 Asia/Taipei. In the database, so every RA
-- process and node shares one counter. Rows of past days are dead weight; `eidpki` does not prune
-- them yet (docs/operations.md).
CREATE TABLE card_status_query_lock (
  national_id_hmac  BINARY(32)  NOT NULL,
  day               DATE        NOT NULL,
  wrong             INT         NOT NULL,
  PRIMARY KEY (national_id_hmac, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
