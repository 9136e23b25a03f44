-- A row the broker will not take (refused for the user's rights, a missing exchange, a nack, or no
-- queue bound for it) is parked with its reason instead of being retried before every later row:
-- the relay goes on with the rest, an alert fires, and an operator republishes it (decision 0022).
ALTER TABLE outbox ADD COLUMN parked_at timestamptz, ADD COLUMN park_reason text;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (id) WHERE published_at IS NULL AND parked_at IS NOT NULL;
