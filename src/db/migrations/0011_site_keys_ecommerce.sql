-- Site keys authenticate a tenant's public website (seed 004's ECommerce handlers). Only the
-- SHA-256 of a key is stored; the key is shown once, on creation.

CREATE TABLE site_key (
  tenant_id     bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id            bigint GENERATED ALWAYS AS IDENTITY,
  name          text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  key_prefix    text NOT NULL,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  created_by    bigint,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

-- Items published on the website (基础信息), with the number of times they were viewed.
CREATE TABLE published_item (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  title       text NOT NULL,
  url         text,
  summary     text,
  hits        bigint NOT NULL DEFAULT 0 CHECK (hits >= 0),
  created_by  bigint,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

-- Messages left on the website's board (留言反馈) about a customer.
CREATE TABLE message_board_entry (
  tenant_id    bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  customer_id  bigint NOT NULL,
  content      text NOT NULL,
  contact      text,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id)
);
CREATE INDEX message_board_customer ON message_board_entry (tenant_id, customer_id, created_at DESC);
