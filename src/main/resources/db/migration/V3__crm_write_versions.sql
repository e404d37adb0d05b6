-- For remote CRMs: per object written, the provider's id for it and the source time of the newest change written.
-- The row is locked while a change of that object is written, so an older change never overwrites a newer one
-- and a note or link can find the id of a record written by an earlier event.
CREATE TABLE crm_write_version (
    provider           VARCHAR(40)              NOT NULL,
    object_type        VARCHAR(40)              NOT NULL,
    object_key         VARCHAR(320)             NOT NULL,
    remote_id          VARCHAR(200),
    source_updated_at  TIMESTAMP WITH TIME ZONE,
    last_event_id      VARCHAR(255),
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (provider, object_type, object_key)
);
