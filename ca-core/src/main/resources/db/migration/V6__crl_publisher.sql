-- V6: the CRL publisher (issue 5).

-- RFC 5280 §5.2.3: "If a delta CRL and a complete CRL that cover the same scope are issued at the
-- same time, they MUST have the same CRL number." So a number is unique per scope and kind (full
-- or delta), not per scope: the full CRL N and the delta N issued with it share it.
ALTER TABLE crl DROP INDEX crl_number_once,
  ADD UNIQUE KEY crl_number_once (ca_name, crl_partition, is_delta, crl_number);

-- The issuingDistributionPoint extension of each CRL (DER; null without one): the publisher checks
-- that a partition's scope never changes without reading the previous CRL, which may be megabytes.
ALTER TABLE crl ADD COLUMN idp_der VARBINARY(1024) NULL AFTER base_number;

-- The deltas are cumulative since their base (§5.2.4): the publisher reads the status changes
-- of a CA since the base's thisUpdate (less a margin for transactions that commit late).
CREATE INDEX status_change_by_time ON status_change (ca_name, changed_at);

-- The publisher's leader lease, like the OCSP updater's: one publisher signs at a time (a row
-- update, since Galera does not replicate GET_LOCK). Correctness of the numbers does not depend
-- on it (the number sequence and the store's check do that); it only avoids duplicate work.
CREATE TABLE crl_publisher_lease (
  id          TINYINT       NOT NULL,
  owner       VARCHAR(128)  NULL,
  lease_until DATETIME(6)   NULL,
  PRIMARY KEY (id),
  CONSTRAINT crl_publisher_lease_one CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO crl_publisher_lease (id, owner, lease_until) VALUES (1, NULL, NULL);
