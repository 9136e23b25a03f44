-- The relay is woken in-process after each commit that wrote outbox rows, and polls for the rest.
-- NOTIFY took a database-wide lock from pre-commit through the WAL flush, so every commit that
-- inserted an outbox row waited for the previous one's flush (decision 0012).
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
