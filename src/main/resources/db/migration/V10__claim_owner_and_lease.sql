-- A claim names the process that holds it (claimed_by, sluice.inbox.instance-id) and lasts until lease_until,
-- which that process renews while it works on the event. Only a claim whose lease ran out is taken over, so a
-- replica that starts, or one that is merely slow, never takes the work of a live one. Claims made before this
-- migration have neither: they count as leased until updated_at plus the lease.
ALTER TABLE event_log ADD COLUMN claimed_by VARCHAR(200);
ALTER TABLE event_log ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX event_log_status_lease ON event_log (status, lease_until);
