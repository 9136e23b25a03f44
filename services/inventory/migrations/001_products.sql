-- Stock is conserved: available + reserved + sold changes only by a restock.
CREATE TABLE products (
  sku         text PRIMARY KEY,
  name        text    NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  currency    char(3) NOT NULL DEFAULT 'EUR',
  available   integer NOT NULL CHECK (available >= 0),
  reserved    integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  sold        integer NOT NULL DEFAULT 0 CHECK (sold >= 0)
);

-- One row per order that reached inventory: what was held, and what became of it.
CREATE TABLE reservations (
  order_id    uuid PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('reserved', 'committed', 'released', 'rejected')),
  lines       jsonb NOT NULL,
  total_cents integer,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
