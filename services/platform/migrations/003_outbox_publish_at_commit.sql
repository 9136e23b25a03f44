-- The writing process publishes its rows at commit and the relay only sweeps what is left
-- (decision 8). A NOTIFY per commit serialised every committing transaction on one lock, which
-- cost more than half of PostgreSQL's throughput for these transactions: it goes.
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();

-- The dispatcher marks rows sent by event id.
CREATE INDEX outbox_unpublished_event ON outbox (event_id) WHERE published_at IS NULL;
