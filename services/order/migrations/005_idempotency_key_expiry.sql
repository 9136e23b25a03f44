-- Idempotency keys expire (IDEMPOTENCY_KEY_RETENTION_HOURS): the pruner finds the oldest by this index.
CREATE INDEX IF NOT EXISTS idempotency_keys_by_age ON idempotency_keys (created_at);
