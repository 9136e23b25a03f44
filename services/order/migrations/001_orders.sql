CREATE TABLE orders (
  id             uuid PRIMARY KEY,
  customer_id    text NOT NULL,
  email          text NOT NULL,
  status         text NOT NULL,
  reason         text,
  items          jsonb NOT NULL,
  total_cents    integer,
  currency       char(3) NOT NULL DEFAULT 'EUR',
  payment_method text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC);

-- Same key and same body ⇒ same order; same key and another body ⇒ 409.
CREATE TABLE idempotency_keys (
  key          text PRIMARY KEY,
  request_hash text NOT NULL,
  order_id     uuid NOT NULL REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
  created_at   timestamptz NOT NULL DEFAULT now()
);
