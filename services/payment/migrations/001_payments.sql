-- One row per order: the primary key is what makes "one charge per order" hold under redelivery.
CREATE TABLE payments (
  order_id     uuid PRIMARY KEY,
  payment_id   uuid NOT NULL UNIQUE,
  status       text NOT NULL CHECK (status IN ('captured', 'declined', 'refunded')),
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  currency     char(3) NOT NULL,
  method       text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
