import { definition as audit } from '@orderly/audit';
import { definition as customerService } from '@orderly/customer';
import { definition as inventory } from '@orderly/inventory';
import { definition as notification } from '@orderly/notification';
import { definition as order } from '@orderly/order';
import { definition as payment } from '@orderly/payment';
import { type RunningService, startService } from '@orderly/platform';
import { createTestEnv, type TestEnv, waitFor } from '@orderly/platform/testing';
import { definition as shipping } from '@orderly/shipping';

export const definitions = { order, inventory, payment, notification, shipping, customer: customerService, audit } as const;
export type ServiceName = keyof typeof definitions;
export const allServices = Object.keys(definitions) as ServiceName[];

/** The services of one test file, each on its own port, sharing one vhost and one database. */
export class Stack {
  readonly services = new Map<ServiceName, RunningService<unknown>>();

  private constructor(
    readonly env: TestEnv,
    private readonly extraEnv: Record<string, string>,
  ) {}

  static async create(name: string, extraEnv: Record<string, string> = {}): Promise<Stack> {
    return new Stack(await createTestEnv(name), extraEnv);
  }

  async start(names: ServiceName[] = allServices, env: Record<string, string> = {}): Promise<this> {
    await Promise.all(
      names.map(async (name) => {
        const service = await startService(definitions[name] as never, {
          ...this.env.env,
          SEED_DEMO_CATALOGUE: 'true',
          // Parcels leave and arrive in a blink, so tests can follow an order to DELIVERED.
          SHIPPING_DISPATCH_DELAY_MS: '300',
          SHIPPING_DELIVERY_DELAY_MS: '300',
          SHIPPING_TIMER_POLL_MS: '50',
          ...this.extraEnv,
          ...env,
        });
        this.services.set(name, service as RunningService<unknown>);
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

  url(name: ServiceName, path: string): string {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running`);
    return `http://127.0.0.1:${service.port}${path}`;
  }

  async http(name: ServiceName, path: string, init: RequestInit & { json?: unknown } = {}) {
    const { json, ...rest } = init;
    const res = await fetch(this.url(name, path), {
      ...rest,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  async placeOrder(body: unknown, headers: Record<string, string> = {}) {
    return this.http('order', '/orders', { method: 'POST', json: body, headers });
  }

  /** Waits until the order's status is one of the given ones and returns the order. */
  async orderReaches(orderId: string, statuses: string[], timeoutMs = 20_000) {
    return waitFor(
      async () => {
        const { body } = await this.http('order', `/orders/${orderId}`);
        return statuses.includes(body?.status) ? body : undefined;
      },
      { timeoutMs, intervalMs: 50, what: `order ${orderId} to reach ${statuses.join('|')}` },
    );
  }

  async product(sku: string) {
    return (await this.http('inventory', `/products/${sku}`)).body as { available: number; reserved: number; sold: number };
  }

  async dispose(): Promise<void> {
    await this.stop();
    await this.env.cleanup();
  }
}

export const customer = (n = 1) => ({ customerId: `C${n}`, email: `c${n}@example.com` });
