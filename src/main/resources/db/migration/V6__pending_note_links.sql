-- Notes written to a remote CRM before their membership's opportunity existed there (a payment processed before
-- its membership, say). When the opportunity is written, each of its notes here is linked to it and the row goes.
CREATE TABLE crm_pending_note_link (
    provider       VARCHAR(40)              NOT NULL,
    note_key       VARCHAR(320)             NOT NULL,
    membership_id  VARCHAR(320)             NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider, note_key)
);
CREATE INDEX crm_pending_note_link_membership ON crm_pending_note_link (provider, membership_id);
