import type { PartitionedTable } from '../db/partitions.js';
import type { Retention } from '../db/prune.js';

/** Sent rows are kept this long (for inspection, and the republish after a broker reconnect) and then dropped. */
export const sentRetentionHours = 1;

/**
 * The outbox's hourly partitions by created_at. One is dropped only when nothing in it is unsent
 * (pending or parked) and nothing was sent within the retention: a row the broker never confirmed
 * is never dropped, however old its partition; a partition holding a parked row stays until an
 * operator republishes it.
 */
export const outboxPartitions: PartitionedTable = {
  table: 'outbox',
  column: 'created_at',
  stepHours: 1,
  ahead: 3,
  retentionHours: sentRetentionHours,
  // Three probes of the partial indexes: pending, parked, sent within the retention.
  keep: (p) =>
    `(EXISTS (SELECT 1 FROM ${p} WHERE published_at IS NULL AND parked_at IS NULL)
      OR EXISTS (SELECT 1 FROM ${p} WHERE published_at IS NULL AND parked_at IS NOT NULL)
      OR EXISTS (SELECT 1 FROM ${p} WHERE published_at IS NOT NULL AND published_at >= $1::timestamptz - make_interval(hours => ${sentRetentionHours})))`,
};

/** Sent rows in the default partition (written while no partition covered their hour) go row by row. */
export const outboxRowRetention: Retention = { table: 'outbox_default', column: 'published_at', retentionHours: sentRetentionHours };
