-- Where each stream reader is in the event stream: the offset of the last message whose effects
-- committed, written in the same transaction as those effects (so a reader is exactly-once
-- without an inbox row per message). -1: nothing read yet.
CREATE TABLE stream_offsets (
  reader      text        PRIMARY KEY,
  "offset"    bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
