-- One message per customer-visible outcome of an order: the unique key is what keeps a
-- redelivered event from mailing the customer twice.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  order_id    uuid NOT NULL,
  customer_id text NOT NULL,
  email       text NOT NULL,
  kind        text NOT NULL,
  subject     text NOT NULL,
  body        text NOT NULL,
  channel     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, kind)
);
CREATE INDEX notifications_by_customer ON notifications (customer_id, created_at DESC);
