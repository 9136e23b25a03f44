-- The operations console's queries, each served by an index instead of a scan of every order:
-- all orders newest first, their time ranges (since/until) and the next page's cursor (GET /orders);
CREATE INDEX IF NOT EXISTS orders_by_created ON orders (created_at DESC, id DESC);
-- a status few orders are in (PENDING or CANCELLED among many DELIVERED), newest first (GET /orders?status=);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, created_at DESC, id DESC);
-- what changed since the live list's last look (GET /orders?updatedSince=).
CREATE INDEX IF NOT EXISTS orders_by_update ON orders (updated_at);
