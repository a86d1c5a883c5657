-- V19 (issue 17): authentication failures and lock-outs per source address, shared by every RA
-- process (two behind HAProxy on a cluster): a guesser spread over the processes is counted once.
-- One row per source: a fixed window of failures, and the lock-out it tipped into.
CREATE TABLE auth_lockout (
  source        VARCHAR(64)  NOT NULL,
  window_start  DATETIME(6)  NOT NULL,
  failures      INT          NOT NULL,
  locked_until  DATETIME(6)  NULL,
  last_failure  DATETIME(6)  NOT NULL,
  PRIMARY KEY (source),
  KEY auth_lockout_last_failure (last_failure)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
