-- SMS templates and messages (模板短信). A message is sent once (now or at a time) or recurs
-- daily, weekly, monthly or yearly; every sending is one row of sms_outbox, written by the
-- sender in the transaction that decides to send, so a sending happens exactly when its row does.

CREATE TABLE sms_template (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  name        text NOT NULL,
  -- Placeholders {value1} … {value6}.
  content     text NOT NULL,
  created_by  bigint,
  updated_by  bigint,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE sms_message (
  tenant_id      bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  sender_id      bigint NOT NULL,
  mobile         text NOT NULL,
  receiver_name  text,
  template_id    bigint,
  template_values text[] NOT NULL DEFAULT '{}',
  -- The text as sent: the template with its values substituted, or the content given.
  content        text NOT NULL,
  schedule       text NOT NULL CHECK (schedule IN ('immediate', 'once', 'daily', 'weekly', 'monthly', 'yearly')),
  send_at        timestamptz NOT NULL,
  -- The next sending still due; null once finished or cancelled.
  next_send_at   timestamptz,
  status         text NOT NULL CHECK (status IN ('scheduled', 'sent', 'cancelled')),
  sent_count     integer NOT NULL DEFAULT 0,
  remark         text,
  created_by     bigint,
  updated_by     bigint,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, sender_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES sms_template (tenant_id, id) ON DELETE SET NULL (template_id)
);
CREATE INDEX sms_message_list ON sms_message (tenant_id, created_at DESC, id DESC);

CREATE TABLE sms_outbox (
  tenant_id      bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  message_id     bigint NOT NULL,
  mobile         text NOT NULL,
  text           text NOT NULL,
  -- The planned time of this sending: a job run twice records it once.
  occurrence_at  timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'failed')),
  sent_at        timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, message_id, occurrence_at),
  FOREIGN KEY (tenant_id, message_id) REFERENCES sms_message (tenant_id, id) ON DELETE CASCADE
);
