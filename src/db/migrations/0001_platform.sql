-- Platform: tenants, product lines, departments, roles, users, API tokens, dictionaries,
-- audit log and idempotency records. Every tenant row is keyed by (tenant_id, id) so the
-- schema can later be distributed by tenant_id (Citus) without rewriting keys.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tenant (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL,
  timezone    text NOT NULL DEFAULT 'Asia/Shanghai',
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product_line (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  name        text NOT NULL,
  is_default  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX product_line_one_default ON product_line (tenant_id) WHERE is_default;

CREATE TABLE department (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  parent_id   bigint,
  name        text NOT NULL,
  sort        integer NOT NULL DEFAULT 0,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES department (tenant_id, id)
);
CREATE INDEX department_parent ON department (tenant_id, parent_id);

CREATE TABLE role (
  tenant_id    bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id           bigint GENERATED ALWAYS AS IDENTITY,
  code         text NOT NULL,
  name         text NOT NULL,
  permissions  text[] NOT NULL DEFAULT '{}',
  data_scope   text NOT NULL CHECK (data_scope IN ('own', 'department', 'department_tree', 'all')),
  is_system    boolean NOT NULL DEFAULT false,
  version      integer NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, code)
);

CREATE TABLE app_user (
  tenant_id       bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id              bigint GENERATED ALWAYS AS IDENTITY,
  login           text NOT NULL,
  name            text NOT NULL,
  job_number      text,
  email           text,
  mobile          text,
  avatar_url      text,
  department_id   bigint,
  role_id         bigint NOT NULL,
  password_hash   text,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  failed_logins   integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  last_login_at   timestamptz,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, department_id) REFERENCES department (tenant_id, id),
  FOREIGN KEY (tenant_id, role_id) REFERENCES role (tenant_id, id)
);
CREATE UNIQUE INDEX app_user_login ON app_user (tenant_id, lower(login));
CREATE UNIQUE INDEX app_user_job_number ON app_user (tenant_id, job_number) WHERE job_number IS NOT NULL;
CREATE INDEX app_user_department ON app_user (tenant_id, department_id);

-- Tokens are looked up before the tenant is known, so the hash is unique across tenants.
CREATE TABLE api_token (
  tenant_id     bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id            bigint GENERATED ALWAYS AS IDENTITY,
  user_id       bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('api', 'session')),
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  token_prefix  text NOT NULL,
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id)
);
CREATE INDEX api_token_user ON api_token (tenant_id, user_id);

CREATE TABLE dictionary_item (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  dictionary  text NOT NULL,
  code        integer NOT NULL,
  parent_id   bigint,
  name        text NOT NULL,
  color       text,
  sort        integer NOT NULL DEFAULT 0,
  is_default  boolean NOT NULL DEFAULT false,
  is_active   boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, dictionary, code),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES dictionary_item (tenant_id, id)
);
CREATE INDEX dictionary_item_list ON dictionary_item (tenant_id, dictionary, sort, id);

CREATE TABLE audit_log (
  tenant_id   bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  at          timestamptz NOT NULL DEFAULT now(),
  user_id     bigint,
  entity      text NOT NULL,
  entity_id   text NOT NULL,
  action      text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}'::jsonb,
  api         text NOT NULL,
  request_id  text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_recent ON audit_log (tenant_id, id DESC);
CREATE INDEX audit_log_entity ON audit_log (tenant_id, entity, entity_id, id DESC);

CREATE TABLE idempotency_key (
  tenant_id       bigint NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
  user_id         bigint NOT NULL,
  key             text NOT NULL,
  request_hash    text NOT NULL,
  status_code     integer,
  response_body   text,
  response_headers jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id, key)
);
CREATE INDEX idempotency_key_age ON idempotency_key (created_at);
