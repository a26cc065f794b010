-- Indexes and foreign keys that a bulk load set aside, with the statement that puts each back.
--
-- `genjin demo` into an empty database drops the secondary indexes and foreign keys of the
-- tables it fills, then rebuilds each index once from the loaded rows and checks each key with
-- one join. Maintaining them row by row cost more than half of a million-customer load. A row
-- here is written in the transaction that drops its object and deleted in the one that restores
-- it, so a load that dies halfway leaves the list of what is missing, and the next start of any
-- Genjin process restores it (src/db/set-aside.ts).
CREATE TABLE set_aside (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('index', 'foreign key')),
  name         text NOT NULL,
  restore      text NOT NULL,
  set_aside_at timestamptz NOT NULL DEFAULT now()
);
