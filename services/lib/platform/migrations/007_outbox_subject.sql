-- The envelope's subject (Orderly's order id) beside its payload, written in the same INSERT: the
-- relay sends it as the message's correlation id (the OpenTelemetry messaging conventions'
-- conversation id) without parsing the payload. Adding a nullable column rewrites nothing.
ALTER TABLE outbox ADD COLUMN subject text;
-- Rows still to be published take theirs from the payload (few: the relay sends within a second;
-- the partial index outbox_unpublished finds them); rows already sent keep null.
UPDATE outbox SET subject = payload->>'subject' WHERE published_at IS NULL;
