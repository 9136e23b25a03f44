-- An Idempotency-Key belongs to the customer the order is for: two customers may pick the same key
-- without meeting each other's orders (or a 409 that tells one the other used it).
ALTER TABLE idempotency_keys ADD COLUMN customer_id text;
UPDATE idempotency_keys k SET customer_id = o.customer_id FROM orders o WHERE o.id = k.order_id;
DELETE FROM idempotency_keys WHERE customer_id IS NULL;
ALTER TABLE idempotency_keys ALTER COLUMN customer_id SET NOT NULL;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (customer_id, key);
