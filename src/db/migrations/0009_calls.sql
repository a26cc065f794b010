-- Call logs (通话历史记录) from the telephony client, matched to a customer by phone where one
-- matches, and billing-number locks (IMS 号码锁定): one user holds a billing number at a time.

CREATE TABLE call_log (
  tenant_id         bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id                bigint GENERATED ALWAYS AS IDENTITY,
  -- The other party's number, digits only.
  phone             text NOT NULL,
  direction         text NOT NULL CHECK (direction IN ('in', 'out')),
  answered          boolean NOT NULL,
  started_at        timestamptz NOT NULL,
  ended_at          timestamptz,
  duration_seconds  integer NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
  recorded          boolean NOT NULL DEFAULT false,
  recording_url     text,
  billing_number    text,
  display_number    text,
  user_id           bigint,
  customer_id       bigint,
  remark            text,
  created_by        bigint,
  updated_by        bigint,
  version           integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (ended_at IS NULL OR ended_at >= started_at),
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id)
);
CREATE INDEX call_log_started ON call_log (tenant_id, started_at DESC, id DESC);
CREATE INDEX call_log_customer ON call_log (tenant_id, customer_id, started_at DESC) WHERE customer_id IS NOT NULL;
CREATE INDEX call_log_phone ON call_log (tenant_id, phone, started_at DESC);

CREATE TABLE number_lock (
  tenant_id       bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  billing_number  text NOT NULL,
  user_id         bigint NOT NULL,
  locked_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, billing_number),
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
