import type { Handlers, Logger } from '@orderly/platform';
import type { Delays } from '../domain/shipment.js';
import type { TimerScheduled } from '../store/timer-store.js';
import { cancelShipment } from '../use-cases/cancel-shipment.js';
import { createShipment } from '../use-cases/create-shipment.js';

/** Ship (order.confirmed or shipping.create) and cancel (order.cancelled or shipping.cancel): the same use cases in both saga modes. */
export function shippingRequests(delays: Delays, logger: Logger, scheduled?: TimerScheduled): Handlers {
  return {
    'order.confirmed': (event, tx) => createShipment(event.data, tx, delays, logger, scheduled),
    'shipping.create': (event, tx) => createShipment(event.data, tx, delays, logger, scheduled),
    'order.cancelled': (event, tx) => cancelShipment(event.data.orderId, tx, logger),
    'shipping.cancel': (event, tx) => cancelShipment(event.data.orderId, tx, logger),
  };
}
