-- One row per order: the unique order id is what makes "one shipment per order" hold under
-- redelivery, and what serialises a create and a cancel that race for the same order.
-- A cancel that arrives before any create leaves a tombstone (status cancelled, no carrier), so a
-- late create finds the order taken and ships nothing.
CREATE TABLE shipments (
  shipment_id     uuid PRIMARY KEY,
  order_id        uuid NOT NULL UNIQUE,
  customer_id     text,
  carrier         text,
  tracking_number text,
  status          text NOT NULL CHECK (status IN ('created', 'dispatched', 'delivered', 'cancelled')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((carrier IS NULL) = (tracking_number IS NULL)),
  CHECK (carrier IS NOT NULL OR status = 'cancelled')
);

-- Each status a shipment reached, once: the primary key refuses a step taken twice.
CREATE TABLE shipment_history (
  id          bigserial PRIMARY KEY,
  shipment_id uuid        NOT NULL REFERENCES shipments ON DELETE CASCADE,
  status      text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (shipment_id, status)
);

-- The next step of a shipment, kept in the database so a restart neither loses nor repeats it.
-- cause_id is the event the step follows from (its causation id); a fired timer is deleted in
-- the same transaction as the step it took.
CREATE TABLE timers (
  id          bigserial PRIMARY KEY,
  shipment_id uuid        NOT NULL REFERENCES shipments ON DELETE CASCADE,
  order_id    uuid        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('dispatch', 'deliver')),
  due_at      timestamptz NOT NULL,
  cause_id    uuid        NOT NULL,
  UNIQUE (shipment_id, kind)
);
CREATE INDEX timers_due ON timers (due_at);
CREATE INDEX timers_order ON timers (order_id);
