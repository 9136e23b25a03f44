export { managementClient } from '../bus/management.js';
export { createTestEnv, type TestEnv } from './env.js';
export { drainQueue, publishRaw, type QueueStats, queueStats, type TakenMessage } from './queues.js';
export { type Cleanups, cleanupList, consumedCount, publishEnvelope, startTestService, untilConsumed } from './service.js';
export { waitFor } from './wait.js';
