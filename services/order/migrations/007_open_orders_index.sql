-- The unfinished orders, longest unchanged first (GET /orders/stuck): only they are in this index, so it stays
-- small, where orders_by_update would be read from the oldest order of all. The statuses are the ones
-- expectedNext (domain/expected-next.ts) waits on; operator-orders.test.ts checks that the query uses it.
CREATE INDEX IF NOT EXISTS orders_open_by_update ON orders (updated_at) WHERE status IN ('PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED');
