import { waitFor } from '@orderly/platform/testing';
import type { ContractCheck } from './contract.js';

/** Where a service's HTTP API answers: the in-process stack, the local stack or a port-forward. */
export type BaseUrlOf = (service: string) => string;

/** The caller's bearer token, fetched (and refreshed) when a request needs it. */
export type TokenSource = () => Promise<string>;

// biome-ignore lint/suspicious/noExplicitAny: a body is whatever the API sent; callers assert its shape
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface OrderLine {
  sku: string;
  qty: number;
}

export interface OrderView {
  orderId: string;
  status: string;
  reason?: string;
  totalCents?: number;
  currency?: string;
  items?: OrderLine[];
  [field: string]: unknown;
}

export interface Stock {
  available: number;
  reserved: number;
  sold: number;
}

/** Statuses an order does not leave by itself, short of shipping: a caller may stop waiting there. */
export const settledStatuses = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];

/**
 * The one client of Orderly's HTTP APIs that the e2e suite, the demo, the live-cluster tool and
 * the benchmark share: JSON in and out, problem bodies returned rather than thrown, each request
 * with the caller's bearer token (unless the request sets its own Authorization, or none is given).
 */
export class ApiClient {
  constructor(
    readonly baseUrlOf: BaseUrlOf,
    readonly token?: TokenSource,
    /** Given, every response is checked against its service's OpenAPI document (the test suites do). */
    readonly contract?: ContractCheck,
  ) {}

  /** The same APIs as another caller (a customer's token, an operator's, or none). */
  as(token: TokenSource | undefined): ApiClient {
    return new ApiClient(this.baseUrlOf, token, this.contract);
  }

  url(service: string, path: string): string {
    return `${this.baseUrlOf(service)}${path}`;
  }

  // biome-ignore lint/suspicious/noExplicitAny: as ApiResponse
  async http<T = any>(service: string, path: string, init: RequestInit & { json?: unknown } = {}): Promise<ApiResponse<T>> {
    const { json, ...rest } = init;
    const bearer = this.token ? { authorization: `Bearer ${await this.token()}` } : {};
    const res = await fetch(this.url(service, path), {
      ...rest,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      headers: { 'content-type': 'application/json', ...bearer, ...(rest.headers ?? {}) },
    });
    const text = await res.text();
    await this.contract?.check(res.url || this.url(service, path), rest.method ?? 'GET', res, text);
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  placeOrder(body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    return this.http('order', '/orders', { method: 'POST', json: body, headers });
  }

  async order(orderId: string): Promise<OrderView | undefined> {
    const { status, body } = await this.http<OrderView>('order', `/orders/${orderId}`);
    return status === 200 ? body : undefined;
  }

  cancel(orderId: string): Promise<ApiResponse> {
    return this.http('order', `/orders/${orderId}/cancel`, { method: 'POST' });
  }

  /** Waits until the order's status is one of the given ones and returns the order. */
  orderReaches(orderId: string, statuses: string[], timeoutMs = 20_000): Promise<OrderView> {
    return waitFor(
      async () => {
        const order = await this.order(orderId);
        return order && statuses.includes(order.status) ? order : undefined;
      },
      { timeoutMs, intervalMs: 50, what: `order ${orderId} to reach ${statuses.join('|')}` },
    );
  }

  async product(sku: string): Promise<Stock> {
    return (await this.http<Stock>('inventory', `/products/${sku}`)).body;
  }

  async setStock(sku: string, available: number): Promise<void> {
    const res = await this.http('inventory', `/products/${sku}/stock`, { method: 'PUT', json: { available } });
    if (res.status !== 200) throw new Error(`setting the stock of ${sku}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
}
