import type { PrepareBatch } from '../transaction/transaction.js';
import type { Handlers, Message } from './handlers.js';
import type { BrokerIdentity } from './identity.js';

export interface ConsumerOptions {
  queue: string;
  handlers: Handlers;
  prefetch: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number; notYetMaxWaitMs: number };
  /** A larger body is parked as too large without being parsed (MESSAGE_MAX_BYTES). */
  maxMessageBytes: number;
  /** Handle messages that arrive together in one transaction, up to this many (1: one by one). */
  batchSize?: number;
  /** Run in a batch's transaction before its messages' work (ServiceParts.prepareBatch). */
  prepareBatch?: PrepareBatch<Message>;
  /** A batched queue off the order's path: how long a batch that is not full waits for more. */
  lingerMs?: number;
  /** Who this service is on the broker: messages are accepted only from their catalog producer. */
  identity: BrokerIdentity;
  /**
   * The broker user of the console (BROKER_REDRIVE_USER), whose copies through the queue's retry
   * exchange start again at the attempt they name (1) and keep their original publisher (decision
   * 0011) — but only a copy of a message this consumer parked (decision 0024). None: no redrive trusted.
   */
  redriveUser?: string | undefined;
}
