-- The activity log: every event and command that crossed the broker, once (the event id is the key;
-- the platform inbox absorbs redeliveries before they get here).
CREATE TABLE activity (
  event_id     uuid        PRIMARY KEY,
  type         text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('event', 'command')),
  order_id     text        NOT NULL,
  source       text        NOT NULL,
  time         timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  causation_id text,
  trace_id     text CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  payload      jsonb       NOT NULL
);
-- An order's timeline.
CREATE INDEX activity_by_order ON activity (order_id, time);
-- The export walks the log in time order with a cursor: no sort, whatever its size.
CREATE INDEX activity_by_time ON activity (time, event_id);
