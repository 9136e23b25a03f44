export { managementClient } from '../bus/management.js';
export { allButCommands, permitWrite } from './broker-users.js';
export { ConnectionDropper } from './connection-dropper.js';
export { createTestEnv, type TestEnv } from './env.js';
export { operatorHeaders, operatorRole, type TestIssuer, testIssuer } from './issuer.js';
export { type LocalAdmin, localAdminDatabaseUrl, localAdminFile, readLocalAdmin } from './local-admin.js';
export { drainQueue, publishRaw, type QueueStats, queueStats, type TakenMessage, takeMessages } from './queues.js';
export { headerBomb, publishRawHeaders, publishRawHeadersAt } from './raw-frames.js';
export { recordedDatabase } from './recorded-database.js';
export {
  createScratch,
  createScratchDatabase,
  createScratchVhost,
  deleteScratchVhost,
  dropScratchDatabase,
  type Scratch,
  type Servers,
  serversFromEnv,
  withPath,
} from './scratch.js';
export { scratchPool } from './scratch-pool.js';
export { type Cleanups, cleanupList, consumedCount, publishEnvelope, startTestService, untilConsumed } from './service.js';
export { requiredSettings } from './settings.js';
export { roleAdministrator, type SqlRunner } from './superuser.js';
export { toolConnection } from './tool-connection.js';
export { waitFor } from './wait.js';
