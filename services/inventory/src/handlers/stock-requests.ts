import type { Handlers, Message, PrepareBatch } from '@orderly/platform';
import { lockFor, type StockRequest } from '../store/stock-ledger.js';
import { commitStock } from '../use-cases/commit-stock.js';
import { releaseStock } from '../use-cases/release-stock.js';
import { reserveStock } from '../use-cases/reserve-stock.js';

/** Reserve, release and commit, as events (choreography) or commands (orchestration); the topology decides which arrive. */
export const stockRequests: Handlers = {
  'order.placed': ({ data }, tx) => reserveStock(data, tx),
  'inventory.reserve': ({ data }, tx) => reserveStock(data, tx),
  'payment.failed': ({ data }, tx) => releaseStock(data.orderId, tx),
  'order.cancelled': ({ data }, tx) => releaseStock(data.orderId, tx),
  'inventory.release': ({ data }, tx) => releaseStock(data.orderId, tx),
  'payment.completed': ({ data }, tx) => commitStock(data.orderId, tx),
  'inventory.commit': ({ data }, tx) => commitStock(data.orderId, tx),
};

/** Every message of a stock request names its order; a reserve also its items. */
function requestOf(message: Message): StockRequest {
  const data = message.data as { orderId: string; items?: { sku: string }[] };
  return { orderId: data.orderId, skus: data.items?.map((i) => i.sku) ?? [] };
}

/**
 * A batch locks every reservation and product it will touch before the first message runs, each set
 * in one sorted statement: replicas never take rows in different orders, so batching cannot deadlock.
 */
export const lockBatch: PrepareBatch<Message> = (tx, messages) => lockFor(tx, messages.map(requestOf));
