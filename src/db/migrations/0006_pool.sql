-- The public pool (公海池): pools with members and admins, one rule set per pool, and the
-- ownership history of every move into and out of a pool. Every tenant has exactly one default
-- pool, so releasing a customer never fails for want of one.

CREATE TABLE pool (
  tenant_id              bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id                     bigint GENERATED ALWAYS AS IDENTITY,
  name                   text NOT NULL,
  is_default             boolean NOT NULL DEFAULT false,
  -- Who may claim from the pool; both empty: everyone with pool access.
  member_user_ids        bigint[] NOT NULL DEFAULT '{}',
  member_department_ids  bigint[] NOT NULL DEFAULT '{}',
  -- Pool admins assign its customers and change its rules without the pool:manage permission.
  admin_user_ids         bigint[] NOT NULL DEFAULT '{}',
  -- What happens to the previous owner's pending contact plans when a customer is claimed or assigned.
  plan_handling          text NOT NULL DEFAULT 'cancel' CHECK (plan_handling IN ('cancel', 'transfer')),
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX pool_one_default ON pool (tenant_id) WHERE is_default;
CREATE UNIQUE INDEX pool_name ON pool (tenant_id, lower(name));

CREATE TABLE pool_rule (
  tenant_id                  bigint NOT NULL,
  pool_id                    bigint NOT NULL,
  -- Days without a follow-up (counted from the later of the last follow-up and the assignment); null: off.
  recycle_no_follow_days     integer CHECK (recycle_no_follow_days > 0),
  -- Days without a deal (from the later of the last deal and the assignment); null: off.
  recycle_no_deal_days       integer CHECK (recycle_no_deal_days > 0),
  -- {"<grade dictionary item id>": days}: overrides recycle_no_follow_days for that grade.
  grade_days                 jsonb NOT NULL DEFAULT '{}'::jsonb,
  exempt_locked              boolean NOT NULL DEFAULT true,
  exempt_won                 boolean NOT NULL DEFAULT false,
  exempt_open_opportunities  boolean NOT NULL DEFAULT false,
  notice_days                integer NOT NULL DEFAULT 3 CHECK (notice_days >= 0),
  owner_cap                  integer CHECK (owner_cap >= 0),
  cap_counts_won             boolean NOT NULL DEFAULT false,
  cap_scope                  text NOT NULL DEFAULT 'user' CHECK (cap_scope IN ('user', 'department')),
  daily_claim_limit          integer CHECK (daily_claim_limit >= 0),
  reclaim_cooldown_days      integer NOT NULL DEFAULT 0 CHECK (reclaim_cooldown_days >= 0),
  protection_hours           integer NOT NULL DEFAULT 0 CHECK (protection_hours >= 0),
  version                    integer NOT NULL DEFAULT 1,
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, pool_id),
  FOREIGN KEY (tenant_id, pool_id) REFERENCES pool (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE ownership_history (
  tenant_id     bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id            bigint GENERATED ALWAYS AS IDENTITY,
  customer_id   bigint NOT NULL,
  pool_id       bigint,
  from_user_id  bigint,
  to_user_id    bigint,
  move          text NOT NULL CHECK (move IN ('release', 'recycle', 'claim', 'assign')),
  reason        text,
  at            timestamptz NOT NULL,
  -- Null for the recycle job.
  by_user_id    bigint,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX ownership_history_by_customer ON ownership_history (tenant_id, customer_id, id DESC);
CREATE INDEX ownership_history_by_actor ON ownership_history (tenant_id, by_user_id, move, at);

-- The pool a customer is in, or returns to when recycled; null: the tenant's default pool.
ALTER TABLE customer ADD COLUMN pool_id bigint;
ALTER TABLE customer ADD FOREIGN KEY (tenant_id, pool_id) REFERENCES pool (tenant_id, id);
CREATE INDEX customer_by_pool ON customer (tenant_id, pool_id, updated_at DESC, id DESC) WHERE in_pool AND deleted_at IS NULL;

INSERT INTO pool (tenant_id, name, is_default) SELECT id, '公海', true FROM tenant;
INSERT INTO pool_rule (tenant_id, pool_id) SELECT tenant_id, id FROM pool WHERE is_default;
UPDATE customer c SET pool_id = p.id FROM pool p WHERE p.tenant_id = c.tenant_id AND p.is_default AND c.in_pool;
