-- Seed 004's Customer/GetAllList pages by offset (pageIndex × pageSize) over live customers,
-- newest id first. This index lets the offset be walked index-only: the data-scope columns are
-- included so the own / department conditions are checked without visiting customer rows.
CREATE INDEX customer_live_by_id ON customer (tenant_id, id DESC) INCLUDE (owner_id, owner_department_id, in_pool) WHERE deleted_at IS NULL;
