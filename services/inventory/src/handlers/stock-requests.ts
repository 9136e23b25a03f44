import type { Handlers } from '@orderly/platform';
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
