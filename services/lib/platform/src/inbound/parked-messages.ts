import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.js';

/**
 * What a redriven copy is checked against (decision 0024): the consumer records a digest of each
 * message it parks from a verified publisher, and believes the publisher a copy from the console
 * claims only if the copy's digest is recorded. The console holds no key and cannot write the
 * table, so with its broker credentials it can send back what was parked, byte for byte, and
 * nothing else. The queue and the publisher are JSON-encoded on a line of their own before the
 * body, so no choice of claim and body can collide with another's.
 */
export function parkedDigest(queue: string, publishedBy: string, body: Buffer): Buffer {
  return createHash('sha256')
    .update(JSON.stringify([queue, publishedBy]))
    .update('\n')
    .update(body)
    .digest();
}

export class ParkedMessages {
  constructor(private readonly pool: Pool) {}

  /** Records that the queue's consumer parked (or may have to park) this body from this publisher. */
  async record(queue: string, publishedBy: string, body: Buffer): Promise<void> {
    await this.pool.query(
      `INSERT INTO parked_messages (digest, queue) VALUES ($1, $2) ON CONFLICT (digest) DO UPDATE SET parked_at = now()`,
      [parkedDigest(queue, publishedBy, body), queue],
    );
  }

  /** Whether the queue's consumer parked exactly this body from this publisher. */
  async parked(queue: string, publishedBy: string, body: Buffer): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM parked_messages WHERE digest = $1`, [parkedDigest(queue, publishedBy, body)]);
    return rowCount === 1;
  }
}
