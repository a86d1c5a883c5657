-- The status change log in commit order (docs/cluster.md#the-status-change-log).
-- Ids are allocated at insert, not at commit (and Galera allocates them in steps of the cluster
-- size on each node), so a reader that follows ids can pass a change that commits late. Every
-- transaction that logs a change now first advances one clock row; it holds that row's lock until
-- it commits (on Galera, two nodes advancing it at once conflict at certification and one
-- retries), so commit_seq values become visible in their order and a reader that follows
-- commit_seq never passes one.
CREATE TABLE status_log_clock (
  id  TINYINT NOT NULL,
  seq BIGINT  NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT status_log_clock_single_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE status_change
  ADD COLUMN commit_seq BIGINT NULL,
  ADD UNIQUE KEY status_change_by_commit_seq (commit_seq);

UPDATE status_change SET commit_seq = id;

INSERT INTO status_log_clock (id, seq) SELECT 1, COALESCE(MAX(id), 0) FROM status_change;
