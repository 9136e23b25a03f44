-- Every message parked in a <queue>.dlq, recorded by the console's keeper, which then acks it
-- (decision 0011): the DLQ is only a pipe, this table is what is parked, searched and acted on
-- exactly once. A redrive or discard changes the row's status; the row is never deleted until
-- it is resolved and past its retention.
CREATE TABLE dead_letters (
  id           uuid        PRIMARY KEY,
  -- The delivery's hash (parked-message.ts): the keeper stopped between insert and ack gets the
  -- message again, and this makes the second insert a no-op.
  delivery_key text        NOT NULL UNIQUE,
  queue        text        NOT NULL,
  message_id   text,
  type         text,
  order_id     uuid,
  error        text        NOT NULL,
  attempts     integer,
  published_by text,
  failed_at    timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  headers      jsonb       NOT NULL,
  body         bytea       NOT NULL,
  status       text        NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'redriving', 'redriven', 'discarded')),
  -- When the status last changed: a redrive left in 'redriving' for long is sent again.
  status_at    timestamptz NOT NULL DEFAULT now(),
  redrives     integer     NOT NULL DEFAULT 0,
  resolved_by  text,
  -- Set when the row reaches redriven or discarded (never while redriving): what pruning goes by.
  resolved_at  timestamptz,
  reason       text
);
-- The search: newest first, page by page (failed_at, id), optionally within one queue or order.
CREATE INDEX dead_letters_newest ON dead_letters (failed_at DESC, id DESC);
CREATE INDEX dead_letters_by_queue ON dead_letters (queue, failed_at DESC, id DESC);
CREATE INDEX dead_letters_by_order ON dead_letters (order_id) WHERE order_id IS NOT NULL;
-- Redrives resumed, and the gauge of what is parked.
CREATE INDEX dead_letters_unresolved ON dead_letters (status, status_at) WHERE status IN ('parked', 'redriving');
CREATE INDEX dead_letters_resolved ON dead_letters (resolved_at) WHERE resolved_at IS NOT NULL;
