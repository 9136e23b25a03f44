import type { SagaCoordinator } from './coordinator.js';

/**
 * Choreography: nobody drives the saga. The participants react to each other's events (the
 * topology binds them), so the order service only records the outcomes and adds nothing here.
 */
export const choreography: SagaCoordinator = {
  placed: async () => {},
  lockBatch: async () => {},
  replied: async () => {},
  cancelled: async () => {},
  expire: async () => [],
};
