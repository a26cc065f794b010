-- Domain events and notifications. Events are written to the outbox in the same transaction as
-- the change that caused them, so none is lost on a crash; webhook delivery reads them from here.

CREATE TABLE outbox_event (
  tenant_id      bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  type           text NOT NULL,
  entity_id      text,
  data           jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurred_at    timestamptz NOT NULL,
  -- Set once the dispatcher has turned the event into webhook deliveries.
  dispatched_at  timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_event_pending ON outbox_event (id) WHERE dispatched_at IS NULL;

CREATE TABLE notification (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  user_id     bigint NOT NULL,
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text,
  entity      text,
  entity_id   text,
  -- One notification per event: a job that runs twice cannot notify twice.
  dedupe_key  text NOT NULL,
  created_at  timestamptz NOT NULL,
  read_at     timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, dedupe_key),
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX notification_inbox ON notification (tenant_id, user_id, id DESC);
CREATE INDEX notification_unread ON notification (tenant_id, user_id, id DESC) WHERE read_at IS NULL;
