-- A claim names the process that holds it (claimed_by, sluice.inbox.instance-id) and lasts until lease_until,
-- which that process renews while it works on the event. Only a claim whose lease ran out is taken over, so a
-- replica that starts, or one that is merely slow, never takes the work of a live one. Claims made before this
-- migration have neither: they count as leased until updated_at plus the claim timeout, as the release that made them
-- kept them. No index on lease_until: renewals would then rewrite an index entry each time; the claimed rows are
-- found through event_log_status_received.
ALTER TABLE event_log ADD COLUMN claimed_by VARCHAR(200);
ALTER TABLE event_log ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
