-- Where the OCSP updaters have caught up to (issue 4): every certificate change before this time
-- has its response signed into ocsp_response. A process taking over the lease starts a window
-- behind it instead of scanning every certificate. NULL until a holder has finished a round.
ALTER TABLE ocsp_updater_lease ADD COLUMN caught_up_to DATETIME(6) NULL;
