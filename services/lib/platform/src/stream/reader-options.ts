import type { Span } from '@opentelemetry/api';
import type { Subscription } from '@orderly/events';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Handlers, Message } from '../inbound/handlers.js';
import type { BrokerIdentity } from '../inbound/identity.js';
import type { Tx } from '../transaction/transaction.js';

export interface StreamReaderOptions {
  /** The reader's name: its offset row, its retry queue and DLQ (the queue of the same name). */
  reader: string;
  stream: string;
  /** What it reads; everything else in the stream is passed over. */
  subscriptions: readonly Subscription[];
  handlers: Handlers;
  /** Deliveries in hand at most: the broker's credit, returned by the ack after each commit. */
  prefetch: number;
  /** Messages per transaction at most. */
  batchSize: number;
  /**
   * How long a batch waits for more before it is taken, unless it is full: a reader only records,
   * off the order's critical path, so under load one commit serves many messages (STREAM_LINGER_MS).
   */
  lingerMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  identity: BrokerIdentity;
  /** A larger body is parked as too large without being parsed (MESSAGE_MAX_BYTES). */
  maxMessageBytes: number;
  /**
   * The handlers' writes are idempotent by event id (a republished duplicate changes nothing): no
   * inbox claim. Otherwise each batch claims its event ids in the inbox (one statement per batch).
   */
  idempotent: boolean;
  /** Told the message ids of each batch once its offset is stored (a move watches for its marker). */
  passed?: (messageIds: string[]) => void;
}

/** One delivery in the reader's hands, with what parsing it found (its event, its work, its span). */
export interface StreamItem {
  msg: ConsumeMessage;
  offset: number;
  channel: Channel;
  /** performance.now() at delivery: a batch is taken when its first message has lingered enough. */
  receivedAt: number;
  event?: Message;
  work?: (tx: Tx) => Promise<void>;
  span?: Span;
}
