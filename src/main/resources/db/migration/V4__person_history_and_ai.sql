-- The person an event is about (Whop user email, lower-cased), so that Sluice can read a person's history: the
-- heuristic lead score is computed from it.
ALTER TABLE event_log ADD COLUMN person_email VARCHAR(320);
CREATE INDEX event_log_person ON event_log (person_email, received_at);

-- Lead score and its reasons on the local CRM's people.
ALTER TABLE crm_person ADD COLUMN lead_score INTEGER;
ALTER TABLE crm_person ADD COLUMN lead_score_reasons VARCHAR(2000);

-- AI token usage per day, provider, model and operation; the daily budget is checked against it.
CREATE TABLE ai_usage (
    usage_day      DATE          NOT NULL,
    provider       VARCHAR(40)   NOT NULL,
    model          VARCHAR(100)  NOT NULL,
    operation      VARCHAR(40)   NOT NULL,
    calls          BIGINT        NOT NULL DEFAULT 0,
    input_tokens   BIGINT        NOT NULL DEFAULT 0,
    output_tokens  BIGINT        NOT NULL DEFAULT 0,
    cached_tokens  BIGINT        NOT NULL DEFAULT 0,
    PRIMARY KEY (usage_day, provider, model, operation)
);
