import { randomBytes } from 'node:crypto';
import { definition as consoleService } from '@orderly/console';
import { createPool, type Pool, type RunningService, startService } from '@orderly/platform';
import { createTestEnv, type TestEnv } from '@orderly/platform/testing';
import { ApiClient, ContractCheck, definitions, freePort, type ServiceName } from '@orderly/testkit';
import { type BrowserIdentity, startBrowserIdentity } from './identity.js';
import { type ServiceGateway, startServiceGateway } from './service-gateway.js';

export interface ConsoleStack {
  env: TestEnv;
  identity: BrowserIdentity;
  /** The browser-facing URL of the console (CONSOLE_PUBLIC_URL). */
  consoleUrl: string;
  /** The services' APIs as an operator (client credentials), every answer checked against its service's document. */
  api: ApiClient;
  /** The OpenAPI documents of the console and the services: what every answer in these tests is held to. */
  contract: ContractCheck;
  /** fetch() of a path of the console, its answer checked against the console's document. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The test database as its owner: what a database administrator can do to the services' schemas. */
  admin: Pool;
  /** The console's own running service. */
  console: RunningService<unknown>;
  dispose(): Promise<void>;
}

/**
 * Everything an operator's browser meets: the seven services, the demo identity provider with
 * its login page, and the console, on one vhost and one database, in this process.
 */
export async function startConsoleStack(name: string, extraEnv: Record<string, string> = {}): Promise<ConsoleStack> {
  const env = await createTestEnv(name);
  const consolePort = await freePort();
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const identity = await startBrowserIdentity(consoleUrl);
  const running = new Map<string, RunningService<unknown>>();
  const gateway: ServiceGateway = await startServiceGateway((service) => running.get(service)?.port);
  const common = {
    SEED_DEMO_CATALOGUE: 'true',
    SHIPPING_DISPATCH_DELAY_MS: '300',
    SHIPPING_DELIVERY_DELAY_MS: '300',
    SHIPPING_TIMER_POLL_MS: '50',
    // The console's copies start again at attempt 1 (decision 0011).
    BROKER_REDRIVE_USER: `${env.vhost}.console`,
    ...identity.env,
    ...extraEnv,
  };
  await Promise.all(
    (Object.keys(definitions) as ServiceName[]).map(async (service) => {
      running.set(
        service,
        (await startService(definitions[service] as never, { ...env.envFor(service), ...common })) as RunningService<unknown>,
      );
    }),
  );
  const consoleRunning = (await startService(consoleService as never, {
    ...env.envFor('console'),
    ...common,
    PORT: String(consolePort),
    CONSOLE_PUBLIC_URL: consoleUrl,
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
    SERVICE_URL_TEMPLATE: gateway.template,
    PROMETHEUS_URL: 'http://127.0.0.1:9090',
  })) as RunningService<unknown>;
  const contract = new ContractCheck();
  const api = new ApiClient(
    (service) => `http://127.0.0.1:${running.get(service)!.port}`,
    () => identity.tokens.operatorToken(),
    contract,
  );
  const admin = createPool(env.databaseUrl, 'public', 2);
  return {
    env,
    identity,
    consoleUrl,
    api,
    contract,
    fetch: (path, init) => contract.fetch(`${consoleUrl}${path}`, init),
    admin,
    console: consoleRunning,
    async dispose() {
      await consoleRunning.stop();
      await Promise.all([...running.values()].map((s) => s.stop()));
      await gateway.close();
      await admin.end();
      await identity.close();
      await env.cleanup();
    },
  };
}
