-- Events written in the same transaction as the state change they describe; the relay publishes
-- them with publisher confirms and marks them sent.
CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  event_id      uuid        NOT NULL,
  exchange      text        NOT NULL,
  routing_key   text        NOT NULL,
  type          text        NOT NULL,
  payload       json        NOT NULL,
  trace_context jsonb       NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wakes the relay at commit; the channel is per schema so services sharing a database don't wake each other.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_TABLE_SCHEMA || '.outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
