-- Request budgets shared by the replicas on one PostgreSQL (http/SharedRequestBudget): per provider, its 429 hold
-- and its last <limit> calls, one row each: when it was answered (or, while in_flight, when its permit was for). The
-- embedded H2 (one process) keeps them in memory and leaves these tables empty.
CREATE TABLE provider_budget (
    name       VARCHAR(100)             NOT NULL PRIMARY KEY,
    held_until TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE provider_budget_permit (
    name    VARCHAR(100)             NOT NULL,
    slot    INT                      NOT NULL,
    used_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    in_flight BOOLEAN                  NOT NULL DEFAULT FALSE,
    CONSTRAINT provider_budget_permit_pk PRIMARY KEY (name, slot)
);

CREATE INDEX provider_budget_permit_oldest ON provider_budget_permit (name, used_at, slot);
