-- The inbox is pruned by age (INBOX_RETENTION_HOURS): the pruner finds the oldest rows by this index.
CREATE INDEX IF NOT EXISTS inbox_by_age ON inbox (handled_at);
