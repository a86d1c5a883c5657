-- V9: the CRL publisher at a million entries a partition (issue 5).

-- A full CRL reads, per partition, every certificate on hold or revoked and not long expired:
-- serial, status, reason, revocation time, notAfter. With these in the index the cursor is a range
-- scan of the index and never touches the clustered rows (which hold the certificates' DER: ~2 KB
-- a row, against ~70 bytes an index entry). The serial comes right after the status so that a
-- partition's list splits into serial ranges that are index ranges too (the publisher reads two
-- at once). It replaces the (ca, partition, status) index, a prefix of it.
ALTER TABLE certificate DROP INDEX certificate_by_partition,
  ADD INDEX certificate_crl_entries (ca_name, crl_partition, status, serial_hex, not_after, revocation_time,
                                     revocation_reason);

-- A CRL's DER past its first MiB, in 64 KiB pieces (crl.der holds the first MiB, so every CRL of
-- a realistic partition, ~0.5 MB at 10 % revoked, is still one row). One 50 MB value made the JDBC
-- driver grow a packet buffer to tens of MB; pieces keep the publisher's heap near the CRL's size.
-- crl.der_length is the whole CRL's length, checked by the reader (a missing piece cannot pass as a
-- shorter CRL); NULL for rows written before V9, whose der is whole.
ALTER TABLE crl ADD COLUMN der_length BIGINT NULL AFTER der;
CREATE TABLE crl_der_more (
  crl_id BIGINT      NOT NULL,
  piece  INT         NOT NULL,          -- 1, 2, ... in order after crl.der
  bytes  MEDIUMBLOB  NOT NULL,
  PRIMARY KEY (crl_id, piece),
  CONSTRAINT crl_der_more_crl FOREIGN KEY (crl_id) REFERENCES crl (id),
  CONSTRAINT crl_der_more_piece CHECK (piece >= 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
