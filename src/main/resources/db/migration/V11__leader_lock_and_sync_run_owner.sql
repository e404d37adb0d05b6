-- Leader election of scheduled pulls on a shared database (sluice.cluster.leader=database): one row per held lock,
-- in the layout of Spring Integration's JDBC lock registry (table prefix SLUICE_). created_date is the holder's last
-- renewal (UTC); a lock not renewed within sluice.cluster.leader-lease is free for another replica.
CREATE TABLE sluice_lock (
    lock_key     CHAR(36)     NOT NULL,
    region       VARCHAR(100) NOT NULL,
    client_id    CHAR(36),
    created_date TIMESTAMP    NOT NULL,
    CONSTRAINT sluice_lock_pk PRIMARY KEY (lock_key, region)
);

-- A running Whop sync names the process pulling it (sluice.inbox.instance-id) and lasts until lease_until, which that
-- process renews with its inbox claims: another replica resumes it only once the lease ran out. Runs started before
-- this migration have neither and are resumed as before (after a restart, or untouched for 15 minutes).
ALTER TABLE whop_sync_run ADD COLUMN claimed_by VARCHAR(200);
ALTER TABLE whop_sync_run ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
