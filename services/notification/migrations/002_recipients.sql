-- Who to tell about an order, learnt from the order events: a refund names only the order.
CREATE TABLE recipients (
  order_id    uuid PRIMARY KEY,
  customer_id text NOT NULL,
  email       text NOT NULL
);
