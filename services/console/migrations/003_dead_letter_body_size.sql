-- A parked body over MESSAGE_MAX_BYTES is kept as a preview (its first 4 KiB), never whole:
-- body_bytes is the size it had, so a row whose body is shorter holds only a preview —
-- shown as such, and never redriven (a preview is not the message).
ALTER TABLE dead_letters ADD COLUMN body_bytes bigint;
UPDATE dead_letters SET body_bytes = octet_length(body);
ALTER TABLE dead_letters ALTER COLUMN body_bytes SET NOT NULL;
