-- Webhook subscriptions and their delivery log. The dispatcher turns outbox events into one
-- delivery per matching subscription; each delivery is then attempted by its own job.

CREATE TABLE webhook (
  tenant_id    bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  url          text NOT NULL,
  -- Event types, or patterns such as 'opportunity.*' and '*'.
  events       text[] NOT NULL,
  -- Kept in clear: signing a body needs it (HMAC-SHA256). Shown to the admin once, on create.
  secret       text NOT NULL,
  is_active    boolean NOT NULL DEFAULT true,
  description  text,
  version      integer NOT NULL DEFAULT 1,
  created_by   bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_delivery (
  tenant_id        bigint NOT NULL,
  id               bigint GENERATED ALWAYS AS IDENTITY,
  webhook_id       bigint NOT NULL,
  -- Null for a test ping, which has no outbox event.
  event_id         bigint,
  event_type       text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  response_status  integer,
  -- The first 1 KB of the receiver's answer.
  response_body    text,
  error            text,
  duration_ms      integer,
  next_attempt_at  timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, webhook_id) REFERENCES webhook (tenant_id, id) ON DELETE CASCADE,
  -- An event dispatched twice (a crashed dispatcher) still makes one delivery per subscription.
  UNIQUE (tenant_id, webhook_id, event_id)
);
CREATE INDEX webhook_delivery_log ON webhook_delivery (tenant_id, webhook_id, id DESC);
