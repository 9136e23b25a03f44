import { definition as audit } from '@orderly/audit';
import { definition as customerService } from '@orderly/customer';
import { definition as inventory } from '@orderly/inventory';
import { definition as notification } from '@orderly/notification';
import { definition as order } from '@orderly/order';
import { definition as payment } from '@orderly/payment';
import { type RunningService, startService } from '@orderly/platform';
import { createTestEnv, type TestEnv } from '@orderly/platform/testing';
import { definition as shipping } from '@orderly/shipping';
import { ApiClient } from './api-client.js';
import { ContractCheck } from './contract.js';
import { startTestIdentity, type TestIdentity } from './identity.js';

export const definitions = { order, inventory, payment, notification, shipping, customer: customerService, audit } as const;
export type ServiceName = keyof typeof definitions;
export const allServices = Object.keys(definitions) as ServiceName[];

/**
 * The services of one test file, each on its own port, sharing one vhost and one database, and
 * trusting one demo OpenID Connect provider running in the test process. The stack calls as an
 * operator (client credentials); `asCustomer` and `as` give the other callers.
 */
export class Stack extends ApiClient {
  readonly services = new Map<ServiceName, RunningService<unknown>>();

  private constructor(
    readonly env: TestEnv,
    readonly identity: TestIdentity,
    private readonly extraEnv: Record<string, string>,
  ) {
    super(
      (name) => {
        const service = this.services.get(name as ServiceName);
        if (!service) throw new Error(`${name} is not running`);
        return `http://127.0.0.1:${service.port}`;
      },
      () => identity.operatorToken(),
      new ContractCheck(),
    );
  }

  static async create(name: string, extraEnv: Record<string, string> = {}): Promise<Stack> {
    const env = await createTestEnv(name);
    const identity = await startTestIdentity();
    return new Stack(env, identity, { ...identity.env, ...extraEnv });
  }

  /** The APIs as a demo customer (C1…C9, C100, C200), with a token from the provider's login. */
  asCustomer(customerId: string): ApiClient {
    return this.as(() => this.identity.customerToken(customerId));
  }

  async start(names: ServiceName[] = allServices, env: Record<string, string> = {}): Promise<this> {
    await Promise.all(
      names.map(async (name) => {
        const service = await startService(definitions[name] as never, {
          ...this.env.envFor(name),
          SEED_DEMO_CATALOGUE: 'true',
          // Parcels leave and arrive in a blink, so tests can follow an order to DELIVERED.
          SHIPPING_DISPATCH_DELAY_MS: '300',
          SHIPPING_DELIVERY_DELAY_MS: '300',
          SHIPPING_TIMER_POLL_MS: '50',
          ...this.extraEnv,
          ...env,
        });
        this.services.set(name, service as RunningService<unknown>);
        // Timing-sensitive tests must not pay for the contract's first compile mid-saga.
        await this.contract?.warm(this.url(name, ''));
      }),
    );
    return this;
  }

  async stop(names: ServiceName[] = [...this.services.keys()]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        await this.services.get(name)?.stop();
        this.services.delete(name);
      }),
    );
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.identity.close();
    await this.env.cleanup();
  }
}
