-- V16 (issue 25): card validity kept by the RA, apart from personalization (status) and re-issue.
--   validity    CURRENT, LOST (a loss report is open) or REPLACED (a successor card was handed over);
--               existing cards start CURRENT. Expired is not a state: it is computed from expires_on.
--   expires_on  the card's printed expiry date; NULL for cards registered before it was asked.
--   issue_*     the printed issue data (issue 25): the date (ISO; the card prints the ROC year), the
--               place as a code of the published list (docs/api.md, CardIssuePlace) and the type.
--               NULL for cards registered without it: such a card never answers "current" to the
--               card-status query. Not personal data on its own; the query matches it together with
--               national_id_hmac.
ALTER TABLE card
  ADD COLUMN validity    VARCHAR(8)  NOT NULL DEFAULT 'CURRENT',
  ADD COLUMN expires_on  DATE        NULL,
  ADD COLUMN issue_date  DATE        NULL,
  ADD COLUMN issue_place CHAR(5)     NULL,
  ADD COLUMN issue_type  VARCHAR(8)  NULL,
  ADD CONSTRAINT card_validity CHECK (validity IN ('CURRENT', 'LOST', 'REPLACED')),
  ADD CONSTRAINT card_issue_data CHECK (
    (issue_date IS NULL AND issue_place IS NULL AND issue_type IS NULL)
    OR (issue_date IS NOT NULL AND issue_place IS NOT NULL
        AND issue_type IN ('INITIAL', 'REISSUE', 'RENEWAL'))),
  ADD CONSTRAINT card_expiry CHECK (expires_on IS NULL OR issue_date IS NULL OR expires_on > issue_date);
