-- A reader's offset is a position in one stream: keyed by (reader, stream), so a reader that moves
-- to another stream (decision 0031) keeps its offset in the one it leaves until it has finished it.
-- The rows so far are positions in the event stream. claim_before: on a stream a reader moved to,
-- the messages created before then (the ones the old stream may also have handed it) are claimed in
-- the inbox, so a message read from both streams is handled once.
ALTER TABLE stream_offsets ADD COLUMN stream text NOT NULL DEFAULT 'orderly.stream';
ALTER TABLE stream_offsets ALTER COLUMN stream DROP DEFAULT;
ALTER TABLE stream_offsets ADD COLUMN claim_before timestamptz;
ALTER TABLE stream_offsets DROP CONSTRAINT stream_offsets_pkey;
ALTER TABLE stream_offsets ADD PRIMARY KEY (reader, stream);
