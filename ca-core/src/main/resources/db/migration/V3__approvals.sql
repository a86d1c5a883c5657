-- V3: the two-person rule and the auditors' query (RA API issue).

-- An act one person requests and a second, different person decides (tw.eid.pki.ca.approval).
-- Generic: kind names the act (today 'bulk-status-change'), payload is its JSON (the records of
-- ApprovalAct), so later two-person acts use the same table. An approved act is carried out in
-- the transaction that sets status APPROVED; FAILED means approved but not carried out (outcome
-- says why), and nothing was changed.
CREATE TABLE approval (
  id           BIGINT       NOT NULL AUTO_INCREMENT,
  kind         VARCHAR(64)  NOT NULL,
  payload      JSON         NOT NULL,
  requested_by VARCHAR(128) NOT NULL,                -- an actor id, never personal data
  requested_at DATETIME(6)  NOT NULL,
  status       VARCHAR(8)   NOT NULL,
  decided_by   VARCHAR(128) NULL,
  decided_at   DATETIME(6)  NULL,
  outcome      JSON         NULL,
  PRIMARY KEY (id),
  KEY approval_by_status (status, id),
  CONSTRAINT approval_status CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'FAILED')),
  -- Decided once, by someone, at some time; a pending act has no decision and no outcome.
  CONSTRAINT approval_decision CHECK (
    (status = 'PENDING' AND decided_by IS NULL AND decided_at IS NULL AND outcome IS NULL)
    OR (status <> 'PENDING' AND decided_by IS NOT NULL AND decided_at IS NOT NULL)),
  -- The two-person rule, once more in the schema: the decider is never the requester.
  CONSTRAINT approval_two_persons CHECK (decided_by IS NULL OR decided_by <> requested_by)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- GET /audit filters by time, actor and action: V1 has (event_time) and (actor, event_time); this
-- adds the action.
CREATE INDEX audit_event_by_action ON audit_event (action, event_time);
