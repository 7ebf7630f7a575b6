-- Per-client limits shared by every instance (without Redis): one row per
-- client and limit, holding the GCRA's "theoretical arrival time" in unix
-- milliseconds. A row whose time has passed is a client with its whole
-- allowance back; the cleanup task deletes those.
CREATE TABLE client_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
