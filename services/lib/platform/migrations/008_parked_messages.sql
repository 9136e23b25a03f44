-- What this service's consumers parked (decision 0024): a SHA-256 of the queue, the verified
-- publisher and the body of each message they parked from a verified publisher (or saw
-- redelivered, which the broker may dead-letter at its delivery limit). A copy the console
-- redrives through the queue's retry exchange is believed to come from the publisher it names only
-- if its digest is here, so the console's broker credentials cannot make a message up. Not pruned:
-- a parked message may wait for its redrive indefinitely, and only genuine producers' failures
-- (under 100 bytes each) are recorded; a redrive does not remove its row (the copy sent twice across
-- a console crash must still verify, and the inbox absorbs it).
CREATE TABLE parked_messages (
  digest     bytea       PRIMARY KEY,
  queue      text        NOT NULL,
  parked_at  timestamptz NOT NULL DEFAULT now()
);
