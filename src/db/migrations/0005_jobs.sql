-- Background jobs. Workers claim due jobs with FOR UPDATE SKIP LOCKED, so several server
-- processes can run side by side without running a job twice; a job whose worker died is
-- picked up again once its lease has expired.

CREATE TABLE job (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id     bigint REFERENCES tenant (id) ON DELETE CASCADE,
  kind          text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  run_at        timestamptz NOT NULL,
  locked_until  timestamptz,
  locked_by     text,
  last_error    text,
  -- Enqueueing the same key twice makes one job: scheduled runs and per-event jobs use it.
  dedupe_key    text UNIQUE,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  finished_at   timestamptz
);
CREATE INDEX job_due ON job (run_at, id) WHERE status = 'pending';
CREATE INDEX job_leased ON job (locked_until) WHERE status = 'running';
CREATE INDEX job_by_tenant ON job (tenant_id, id DESC);

-- Recurring jobs: a cron expression evaluated in a time zone (the tenant's, for tenant jobs).
CREATE TABLE job_schedule (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id    bigint REFERENCES tenant (id) ON DELETE CASCADE,
  kind         text NOT NULL,
  cron         text NOT NULL,
  timezone     text NOT NULL,
  payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled      boolean NOT NULL DEFAULT true,
  next_run_at  timestamptz NOT NULL,
  last_run_at  timestamptz,
  created_at   timestamptz NOT NULL,
  UNIQUE NULLS NOT DISTINCT (tenant_id, kind)
);
CREATE INDEX job_schedule_due ON job_schedule (next_run_at) WHERE enabled;
