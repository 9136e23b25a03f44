-- A customer's profile: created over HTTP, or from the first order event of an unknown customer.
CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  email       text        NOT NULL,
  name        text,
  phone       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Each customer's order history: a projection of the order events, whatever order they arrive in.
-- placed_at is the earliest event time seen (the order.placed time once that has arrived).
CREATE TABLE customer_orders (
  order_id    uuid PRIMARY KEY,
  customer_id text        NOT NULL,
  status      text        NOT NULL CHECK (status IN ('PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED')),
  total_cents integer CHECK (total_cents >= 0),
  currency    char(3),
  reason      text,
  placed_at   timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX customer_orders_by_customer ON customer_orders (customer_id, placed_at DESC, order_id DESC);
