-- The inbox and the outbox become range-partitioned tables whose old partitions are dropped whole
-- (src/db/partitions.ts) instead of deleted row by row (decision 0032). The service creates the
-- partitions ahead at start and on each prune tick; until then rows go to the default partitions.

-- The inbox is partitioned by the event's own envelope time (event_at), which every copy of an
-- event carries: a duplicate hits the same partition's primary key as its original. event_at
-- defaults to now() only for the claims of replicas not yet upgraded during a rollout.
ALTER TABLE inbox RENAME TO inbox_before_partitions;
ALTER TABLE inbox_before_partitions RENAME CONSTRAINT inbox_pkey TO inbox_before_partitions_pkey;
ALTER INDEX IF EXISTS inbox_by_age RENAME TO inbox_before_partitions_by_age;
CREATE TABLE inbox (
  consumer    text        NOT NULL,
  event_id    uuid        NOT NULL,
  event_at    timestamptz NOT NULL DEFAULT now(),
  handled_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id, event_at)
) PARTITION BY RANGE (event_at);
-- A partition is dropped only once nothing in it was handled within the retention: a BRIN index
-- answers that for the cost of a summary per block range, not an index entry per row.
CREATE INDEX inbox_handled_at ON inbox USING brin (handled_at);
-- Events with no partition of their day (older than the oldest kept, or far ahead of the clock):
-- deduplicated here like any other, and pruned row by row by handled_at.
CREATE TABLE inbox_default PARTITION OF inbox DEFAULT;
-- The rows handled before this migration have no event time: they stay in the old table, which
-- each claim also looks in, until the row-by-row pruner has emptied it (INBOX_RETENTION_HOURS).

-- The outbox is partitioned by created_at (hourly partitions). The id sequence goes on with the
-- new table, so ids stay unique and increasing across the conversion.
ALTER TABLE outbox RENAME TO outbox_before_partitions;
CREATE TABLE outbox (
  id            bigint      NOT NULL DEFAULT nextval('outbox_id_seq'),
  event_id      uuid        NOT NULL,
  exchange      text        NOT NULL,
  routing_key   text        NOT NULL,
  type          text        NOT NULL,
  payload       json        NOT NULL,
  trace_context jsonb       NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at  timestamptz,
  parked_at     timestamptz,
  park_reason   text,
  subject       text,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id;
DROP INDEX outbox_unpublished, outbox_parked, outbox_published_at;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (id) WHERE published_at IS NULL AND parked_at IS NOT NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;
-- Rows written while no partition covers their hour (the service not running its maintenance):
-- published like any other, their sent rows deleted row by row an hour after.
CREATE TABLE outbox_default PARTITION OF outbox DEFAULT;
-- Every row, sent or not, parked or not, with its id.
INSERT INTO outbox (id, event_id, exchange, routing_key, type, payload, trace_context, created_at, published_at, parked_at, park_reason, subject)
  SELECT id, event_id, exchange, routing_key, type, payload, trace_context, created_at, published_at, parked_at, park_reason, subject
    FROM outbox_before_partitions;
DROP TABLE outbox_before_partitions;
