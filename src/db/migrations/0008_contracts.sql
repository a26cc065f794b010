-- Contracts and orders (合同订单): a contract or a sample-gift order (样品赠品订单) of a customer,
-- audited (审核) into force, un-audited back to draft, or stopped (终止) for good. Auditing a
-- contract keeps the customer's last deal (last_deal_at / last_deal_amount) in step.

CREATE TABLE contract (
  tenant_id    bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  number       text NOT NULL,
  customer_id  bigint NOT NULL,
  kind         text NOT NULL DEFAULT 'contract' CHECK (kind IN ('contract', 'sample_gift')),
  title        text NOT NULL,
  amount       numeric(18, 2) NOT NULL CHECK (amount >= 0),
  signed_on    date,
  starts_on    date,
  ends_on      date,
  owner_id     bigint NOT NULL,
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'audited', 'stopped')),
  -- When the deal counts for the customer's last deal: the sign date, else the audit time.
  deal_at      timestamptz,
  audited_at   timestamptz,
  audited_by   bigint,
  stopped_at   timestamptz,
  stopped_by   bigint,
  note         text,
  created_by   bigint,
  updated_by   bigint,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, number),
  CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX contract_customer ON contract (tenant_id, customer_id, deal_at DESC) WHERE status = 'audited';
CREATE INDEX contract_list ON contract (tenant_id, created_at DESC, id DESC);
