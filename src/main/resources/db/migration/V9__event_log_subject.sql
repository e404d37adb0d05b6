-- Events by subject and time: whether a newer state of a membership was applied (a send rule asks it of a change
-- that arrives as a duplicate of its pulled sibling).
CREATE INDEX event_log_subject ON event_log (subject_key, occurred_at);
