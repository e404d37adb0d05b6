-- An event whose last try failed in a way waiting can heal (the CRM down, slow or rate-limiting) waits in the
-- inbox with status WAITING until next_attempt_at; failing_since starts its retry horizon, waits counts its rounds.
ALTER TABLE event_log ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE event_log ADD COLUMN failing_since TIMESTAMP WITH TIME ZONE;
ALTER TABLE event_log ADD COLUMN waits INTEGER NOT NULL DEFAULT 0;
CREATE INDEX event_log_status_next_attempt ON event_log (status, next_attempt_at);
