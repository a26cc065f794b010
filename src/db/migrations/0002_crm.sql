-- CRM core: customers, contacts, opportunities, follow-ups, visit reports, contact plans,
-- custom fields, tags, shares, favourites and stored files. Sized for one tenant holding
-- 1,000,000 customers and 10,000,000 follow-ups: every list has a keyset index that starts
-- with tenant_id.

CREATE TABLE stored_file (
  tenant_id     bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id            bigint GENERATED ALWAYS AS IDENTITY,
  name          text NOT NULL,
  content_type  text NOT NULL,
  size          bigint NOT NULL,
  sha256        text NOT NULL,
  storage_key   text NOT NULL,
  created_by    bigint,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE custom_field (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  module      text NOT NULL CHECK (module IN ('customer', 'contact', 'follow_up', 'opportunity')),
  key         text NOT NULL CHECK (key ~ '^[a-z]+_[0-9]{6,19}$'),
  kind        text NOT NULL CHECK (kind IN ('input', 'textarea', 'select', 'radio', 'checkbox', 'datetime', 'number',
                                              'telephone', 'email', 'city', 'cascade', 'datasource', 'attachment')),
  label       text NOT NULL,
  -- [{ "id": "1", "name": "…", "parentId": null }] for select, radio, checkbox, cascade, datasource
  options     jsonb NOT NULL DEFAULT '[]'::jsonb,
  required    boolean NOT NULL DEFAULT false,
  sort        integer NOT NULL DEFAULT 0,
  is_active   boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, module, key)
);

CREATE TABLE customer (
  tenant_id              bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id                     bigint GENERATED ALWAYS AS IDENTITY,
  name                   text NOT NULL,
  name_pinyin            text NOT NULL DEFAULT '',
  name_initials          text NOT NULL DEFAULT '',
  -- Character unigrams and bigrams of the name, '#'-prefixed grams of the pinyin initials and
  -- 'p:'-prefixed phone suffixes: one GIN index serves two-character Chinese fragments,
  -- initials and phone tails identically on every database, whatever its ctype.
  search_tokens          text[] NOT NULL DEFAULT '{}',
  kind_id                bigint,
  type_id                bigint,
  source_id              bigint,
  grade_id               bigint,
  lifecycle_id           bigint,
  last_lifecycle_id      bigint,
  category               text,
  phone                  text,
  phones                 text[] NOT NULL DEFAULT '{}',
  email                  text,
  address                text,
  region_code            text,
  region_name            text,
  note                   text,
  owner_id               bigint,
  owner_department_id    bigint,
  last_owner_id          bigint,
  service_owner_id       bigint,
  service_department_id  bigint,
  product_line_id        bigint,
  assigned_at            timestamptz,
  is_won                 boolean NOT NULL DEFAULT false,
  is_lead                boolean NOT NULL DEFAULT false,
  lead_claimer_id        bigint,
  first_assigned_at      timestamptz,
  lead_external_id       text,
  lead_platform          text,
  lead_blacklisted       boolean NOT NULL DEFAULT false,
  lead_ocpc_data         jsonb,
  is_locked              boolean NOT NULL DEFAULT false,
  in_pool                boolean NOT NULL DEFAULT false,
  pool_moves             integer NOT NULL DEFAULT 0,
  pool_moved_at          timestamptz,
  pool_move_kind         text CHECK (pool_move_kind IN ('system', 'manual')),
  pool_reason            text,
  last_follow_at         timestamptz,
  last_follow_summary    text,
  last_follow_user_id    bigint,
  next_follow_at         timestamptz,
  last_deal_at           timestamptz,
  last_deal_amount       numeric(18, 2),
  opportunity_count      integer NOT NULL DEFAULT 0,
  created_via            text NOT NULL DEFAULT 'manual' CHECK (created_via IN ('manual', 'import', 'api', 'web_form')),
  custom_fields          jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by             bigint,
  updated_by             bigint,
  deleted_by             bigint,
  deleted_at             timestamptz,
  version                integer NOT NULL DEFAULT 1,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, service_owner_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, product_line_id) REFERENCES product_line (tenant_id, id),
  FOREIGN KEY (tenant_id, kind_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, type_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, grade_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, lifecycle_id) REFERENCES dictionary_item (tenant_id, id)
);
CREATE INDEX customer_search ON customer USING gin (search_tokens);
CREATE INDEX customer_pinyin ON customer USING gin (name_pinyin gin_trgm_ops);
CREATE INDEX customer_recent ON customer (tenant_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX customer_created ON customer (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX customer_by_owner ON customer (tenant_id, owner_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX customer_by_department ON customer (tenant_id, owner_department_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX customer_last_follow ON customer (tenant_id, last_follow_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customer_next_follow ON customer (tenant_id, next_follow_at, id) WHERE deleted_at IS NULL AND next_follow_at IS NOT NULL;
CREATE INDEX customer_pool ON customer (tenant_id, updated_at DESC, id DESC) WHERE in_pool AND deleted_at IS NULL;
CREATE INDEX customer_name ON customer (tenant_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX customer_phones ON customer USING gin (phones);
CREATE INDEX customer_custom_fields ON customer USING gin (custom_fields jsonb_path_ops);

CREATE TABLE tag (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  name        text NOT NULL,
  color       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tag_name ON tag (tenant_id, lower(name));

CREATE TABLE customer_tag (
  tenant_id    bigint NOT NULL,
  customer_id  bigint NOT NULL,
  tag_id       bigint NOT NULL,
  PRIMARY KEY (tenant_id, customer_id, tag_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, tag_id) REFERENCES tag (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_tag_by_tag ON customer_tag (tenant_id, tag_id, customer_id);

CREATE TABLE customer_share (
  tenant_id    bigint NOT NULL,
  customer_id  bigint NOT NULL,
  user_id      bigint NOT NULL,
  shared_by    bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id, user_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX customer_share_by_user ON customer_share (tenant_id, user_id, customer_id);

CREATE TABLE customer_favourite (
  tenant_id    bigint NOT NULL,
  customer_id  bigint NOT NULL,
  user_id      bigint NOT NULL,
  marker_id    bigint,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id, user_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, marker_id) REFERENCES dictionary_item (tenant_id, id)
);
CREATE INDEX customer_favourite_by_user ON customer_favourite (tenant_id, user_id, customer_id);

CREATE TABLE contact (
  tenant_id      bigint NOT NULL,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  customer_id    bigint NOT NULL,
  name           text NOT NULL,
  gender         text NOT NULL DEFAULT 'unknown' CHECK (gender IN ('male', 'female', 'unknown')),
  position       text,
  department     text,
  mobile         text,
  phone          text,
  email          text,
  wechat         text,
  birthday       date,
  address        text,
  note           text,
  is_main        boolean NOT NULL DEFAULT false,
  custom_fields  jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by     bigint,
  updated_by     bigint,
  deleted_at     timestamptz,
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id)
);
CREATE INDEX contact_by_customer ON contact (tenant_id, customer_id, id) WHERE deleted_at IS NULL;
-- At most one main contact per customer.
CREATE UNIQUE INDEX contact_one_main ON contact (tenant_id, customer_id) WHERE is_main AND deleted_at IS NULL;

CREATE TABLE opportunity (
  tenant_id            bigint NOT NULL,
  id                   bigint GENERATED ALWAYS AS IDENTITY,
  customer_id          bigint NOT NULL,
  name                 text NOT NULL,
  type_id              bigint,
  source_id            bigint,
  stage_id             bigint,
  amount               numeric(18, 2),
  expected_close_date  date,
  owner_id             bigint,
  status               text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  lose_reason_id       bigint,
  lose_remark          text,
  last_contact_at      timestamptz,
  last_contact_user_id bigint,
  custom_fields        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by           bigint,
  updated_by           bigint,
  deleted_at           timestamptz,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, type_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, source_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, stage_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, lose_reason_id) REFERENCES dictionary_item (tenant_id, id)
);
CREATE INDEX opportunity_by_customer ON opportunity (tenant_id, customer_id, id) WHERE deleted_at IS NULL;
CREATE INDEX opportunity_recent ON opportunity (tenant_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX opportunity_by_owner ON opportunity (tenant_id, owner_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE visit_report (
  tenant_id    bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  author_id    bigint NOT NULL,
  reported_at  timestamptz NOT NULL,
  title        text NOT NULL,
  effect       text,
  problems     text,
  suggestion   text,
  work_plan    text,
  status       integer NOT NULL DEFAULT 1,
  note         text,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, author_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX visit_report_recent ON visit_report (tenant_id, reported_at DESC, id DESC);
CREATE INDEX visit_report_by_author ON visit_report (tenant_id, author_id, reported_at DESC, id DESC);

CREATE TABLE visit_report_comment (
  tenant_id   bigint NOT NULL,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  report_id   bigint NOT NULL,
  user_id     bigint NOT NULL,
  content     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, report_id) REFERENCES visit_report (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX visit_report_comment_by_report ON visit_report_comment (tenant_id, report_id, id DESC);

CREATE TABLE visit_report_read (
  tenant_id  bigint NOT NULL,
  report_id  bigint NOT NULL,
  user_id    bigint NOT NULL,
  read_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, report_id, user_id),
  FOREIGN KEY (tenant_id, report_id) REFERENCES visit_report (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);

CREATE TABLE follow_up (
  tenant_id        bigint NOT NULL,
  id               bigint GENERATED ALWAYS AS IDENTITY,
  customer_id      bigint NOT NULL,
  opportunity_id   bigint,
  type_id          bigint,
  purpose_id       bigint,
  route_id         bigint,
  event_id         bigint,
  title            text,
  content          text NOT NULL DEFAULT '',
  content_text     text NOT NULL DEFAULT '',
  followed_at      timestamptz NOT NULL,
  site             text,
  latitude         numeric(9, 6),
  longitude        numeric(9, 6),
  cost             numeric(18, 2),
  cost_note        text,
  user_id          bigint NOT NULL,
  visit_report_id  bigint,
  custom_fields    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by       bigint,
  updated_by       bigint,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id),
  FOREIGN KEY (tenant_id, opportunity_id) REFERENCES opportunity (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, visit_report_id) REFERENCES visit_report (tenant_id, id),
  FOREIGN KEY (tenant_id, type_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, route_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, event_id) REFERENCES dictionary_item (tenant_id, id)
);
CREATE INDEX follow_up_by_customer ON follow_up (tenant_id, customer_id, followed_at DESC, id DESC);
CREATE INDEX follow_up_by_user ON follow_up (tenant_id, user_id, followed_at DESC, id DESC);
CREATE INDEX follow_up_recent ON follow_up (tenant_id, followed_at DESC, id DESC);
CREATE INDEX follow_up_created ON follow_up (tenant_id, created_at DESC, id DESC);
CREATE INDEX follow_up_updated ON follow_up (tenant_id, updated_at DESC, id DESC);
CREATE INDEX follow_up_by_report ON follow_up (tenant_id, visit_report_id) WHERE visit_report_id IS NOT NULL;
CREATE INDEX follow_up_by_opportunity ON follow_up (tenant_id, opportunity_id) WHERE opportunity_id IS NOT NULL;

CREATE TABLE follow_up_contact (
  tenant_id     bigint NOT NULL,
  follow_up_id  bigint NOT NULL,
  contact_id    bigint NOT NULL,
  PRIMARY KEY (tenant_id, follow_up_id, contact_id),
  FOREIGN KEY (tenant_id, follow_up_id) REFERENCES follow_up (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contact (tenant_id, id)
);

CREATE TABLE follow_up_participant (
  tenant_id     bigint NOT NULL,
  follow_up_id  bigint NOT NULL,
  user_id       bigint NOT NULL,
  PRIMARY KEY (tenant_id, follow_up_id, user_id),
  FOREIGN KEY (tenant_id, follow_up_id) REFERENCES follow_up (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX follow_up_participant_by_user ON follow_up_participant (tenant_id, user_id, follow_up_id);

CREATE TABLE follow_up_attachment (
  tenant_id      bigint NOT NULL,
  id             bigint GENERATED ALWAYS AS IDENTITY,
  follow_up_id   bigint NOT NULL,
  name           text NOT NULL,
  url            text,
  file_id        bigint,
  business_code  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, follow_up_id) REFERENCES follow_up (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, file_id) REFERENCES stored_file (tenant_id, id),
  CHECK (url IS NOT NULL OR file_id IS NOT NULL)
);
CREATE INDEX follow_up_attachment_by_follow_up ON follow_up_attachment (tenant_id, follow_up_id);

CREATE TABLE contact_plan (
  tenant_id               bigint NOT NULL,
  id                      bigint GENERATED ALWAYS AS IDENTITY,
  customer_id             bigint NOT NULL,
  contact_id              bigint,
  purpose_id              bigint,
  route_id                bigint,
  title                   text NOT NULL,
  content                 text,
  planned_at              timestamptz NOT NULL,
  owner_id                bigint NOT NULL,
  status                  text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
  source_follow_up_id     bigint,
  fulfilled_follow_up_id  bigint,
  done_at                 timestamptz,
  created_by              bigint,
  updated_by              bigint,
  version                 integer NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contact (tenant_id, id),
  FOREIGN KEY (tenant_id, owner_id) REFERENCES app_user (tenant_id, id),
  FOREIGN KEY (tenant_id, purpose_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, route_id) REFERENCES dictionary_item (tenant_id, id),
  FOREIGN KEY (tenant_id, source_follow_up_id) REFERENCES follow_up (tenant_id, id) ON DELETE SET NULL (source_follow_up_id),
  FOREIGN KEY (tenant_id, fulfilled_follow_up_id) REFERENCES follow_up (tenant_id, id) ON DELETE SET NULL (fulfilled_follow_up_id)
);
CREATE INDEX contact_plan_pending_by_customer ON contact_plan (tenant_id, customer_id, planned_at) WHERE status = 'pending';
CREATE INDEX contact_plan_by_owner ON contact_plan (tenant_id, owner_id, status, planned_at, id);
CREATE INDEX contact_plan_due ON contact_plan (tenant_id, planned_at, id) WHERE status = 'pending';

-- Dictionaries added with the CRM core, for tenants created before it (new tenants get them
-- from the catalogue in code).
INSERT INTO dictionary_item (tenant_id, dictionary, code, name, sort, is_default)
SELECT t.id, d.dictionary, d.code, d.name, d.code * 10, d.code = 1
FROM tenant t
CROSS JOIN (VALUES
  ('opportunity_type', 1, '新客户商机'), ('opportunity_type', 2, '老客户增购'), ('opportunity_type', 3, '续约'),
  ('lose_reason', 1, '价格因素'), ('lose_reason', 2, '选择竞品'), ('lose_reason', 3, '需求变化'), ('lose_reason', 4, '预算不足'), ('lose_reason', 5, '其他')
) AS d (dictionary, code, name)
ON CONFLICT DO NOTHING;
