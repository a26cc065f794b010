-- What customers are searched by, in a table of its own with the GIN indexes.
--
-- A customer row is rewritten by every follow-up (its last follow-up), every pool move and every
-- assignment. Each rewrite is a new row version with an entry in every index of customer, and
-- GIN entries are the dearest: with the four GIN indexes on customer, the pool's recycle job
-- spent four fifths of its time in them. Here a search row changes only when the name, the
-- phones or the custom fields do. The repository writes it in the customer's transaction;
-- customer keeps name_pinyin, phones and custom_fields, which its answers show.

DROP INDEX customer_search;
DROP INDEX customer_pinyin;
DROP INDEX customer_phones;
DROP INDEX customer_custom_fields;

CREATE TABLE customer_search (
  tenant_id      bigint NOT NULL,
  customer_id    bigint NOT NULL,
  -- Character unigrams and bigrams of the name, '#'-prefixed grams of the pinyin initials and
  -- 'p:'-prefixed phone suffixes: one GIN index serves two-character Chinese fragments,
  -- initials and phone tails identically on every database, whatever its ctype.
  search_tokens  text[] NOT NULL DEFAULT '{}',
  name_pinyin    text NOT NULL DEFAULT '',
  phones         text[] NOT NULL DEFAULT '{}',
  custom_fields  jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (tenant_id, customer_id),
  FOREIGN KEY (tenant_id, customer_id) REFERENCES customer (tenant_id, id) ON DELETE CASCADE
);

INSERT INTO customer_search (tenant_id, customer_id, search_tokens, name_pinyin, phones, custom_fields)
SELECT tenant_id, id, search_tokens, name_pinyin, phones, custom_fields FROM customer;

ALTER TABLE customer DROP COLUMN search_tokens;

CREATE INDEX customer_search_tokens ON customer_search USING gin (search_tokens);
CREATE INDEX customer_search_pinyin ON customer_search USING gin (name_pinyin gin_trgm_ops);
CREATE INDEX customer_search_phones ON customer_search USING gin (phones);
CREATE INDEX customer_search_custom_fields ON customer_search USING gin (custom_fields jsonb_path_ops);
