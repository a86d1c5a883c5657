-- One active certificate per card and profile, held by the database itself (docs/cluster.md).
-- Issuance supersedes the card's previous certificate of the profile under a locking read; on
-- Galera that lock holds on one node only, so two first issuances for one card on two nodes
-- could both finish. A unique key is checked at certification on every node: the second commit
-- fails (and is retried, then supersedes the first). A certificate is active once its final DER
-- is stored and while it is GOOD or HOLD; certificates without a card (operators, signers) are
-- not concerned.
ALTER TABLE certificate
  ADD COLUMN active_card_profile VARCHAR(200) AS (
    IF(der IS NOT NULL AND status IN ('GOOD', 'HOLD') AND card_number IS NOT NULL,
       CONCAT(ca_name, '|', card_number, '|', profile), NULL)) PERSISTENT,
  ADD UNIQUE KEY certificate_one_active_per_card_profile (active_card_profile);
