-- Whop pulls: sync runs with their stored cursor, per-resource progress, watermarks, the records a full run saw
-- (for reconciliation), and the OAuth connection. Portable across PostgreSQL and H2 (PostgreSQL mode).

-- The state a resource is in, as its source last described it: a webhook and a pull of the same change share
-- this key, so the change is applied once whichever arrives first.
ALTER TABLE event_log ADD COLUMN change_key VARCHAR(255);

CREATE TABLE whop_sync_run (
    id              VARCHAR(64)              NOT NULL PRIMARY KEY,
    sync_mode       VARCHAR(20)              NOT NULL,
    started_by      VARCHAR(40)              NOT NULL,
    -- equals sync_mode while the run is unfinished, NULL after: the unique key allows one unfinished run per mode
    active_mode     VARCHAR(20) UNIQUE,
    status          VARCHAR(30)              NOT NULL,
    resources       VARCHAR(200)             NOT NULL,
    resource_index  INTEGER                  NOT NULL DEFAULT 0,
    page_cursor     VARCHAR(2000),
    updated_after   TIMESTAMP WITH TIME ZONE,
    high_water      TIMESTAMP WITH TIME ZONE,
    errors          INTEGER                  NOT NULL DEFAULT 0,
    last_error      VARCHAR(2000),
    started_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX whop_sync_run_started ON whop_sync_run (started_at);

CREATE TABLE whop_sync_progress (
    run_id      VARCHAR(64)  NOT NULL,
    resource    VARCHAR(40)  NOT NULL,
    pages       INTEGER      NOT NULL DEFAULT 0,
    records     BIGINT       NOT NULL DEFAULT 0,
    new_events  BIGINT       NOT NULL DEFAULT 0,
    rejected    BIGINT       NOT NULL DEFAULT 0,
    errors      INTEGER      NOT NULL DEFAULT 0,
    done        BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (run_id, resource)
);

-- Where the next incremental pull of a resource starts (payments: updated_after, minus an overlap window).
CREATE TABLE whop_sync_watermark (
    resource    VARCHAR(40)              NOT NULL PRIMARY KEY,
    high_water  TIMESTAMP WITH TIME ZONE NOT NULL,
    run_id      VARCHAR(64)              NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Every record a full run saw, compared with the CRM afterwards.
CREATE TABLE whop_sync_item (
    run_id             VARCHAR(64)              NOT NULL,
    record_id          VARCHAR(255)             NOT NULL,
    resource           VARCHAR(40)              NOT NULL,
    subject            VARCHAR(255),
    source_updated_at  TIMESTAMP WITH TIME ZONE,
    event_id           VARCHAR(255)             NOT NULL,
    PRIMARY KEY (run_id, record_id)
);
CREATE INDEX whop_sync_item_resource ON whop_sync_item (run_id, resource);

-- The OAuth connection to Whop; tokens are AES-GCM ciphertext, never plain.
CREATE TABLE whop_connection (
    id                 VARCHAR(20)              NOT NULL PRIMARY KEY,
    access_token       BYTEA                    NOT NULL,
    refresh_token      BYTEA,
    expires_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    scope              VARCHAR(1000),
    connected_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    refreshed_at       TIMESTAMP WITH TIME ZONE,
    last_error         VARCHAR(2000)
);

-- OAuth authorisations in flight: the state and PKCE verifier that the callback must match, used once.
CREATE TABLE oauth_pending (
    state          VARCHAR(100)             NOT NULL PRIMARY KEY,
    code_verifier  BYTEA                    NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
