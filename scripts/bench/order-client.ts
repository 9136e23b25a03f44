/**
 * Places orders over HTTP/1.1 keep-alive (node:http: cheaper per request than fetch, so the load
 * generator takes less of the machine it measures). Orders spread over the demo catalogue and
 * pay with pm_card_visa, so every order is confirmed unless stock runs out. The bench calls as an
 * operator with a token of the local provider (client credentials), naming its BENCH-n customers.
 */
import http from 'node:http';
import type { TokenIssuer } from '@orderly/identity/client';
import { baseUrl } from '../local/services.ts';

export const catalogue = ['TSHIRT-BLK-M', 'TSHIRT-GRY-S', 'LAPTOP-123', 'BOOK-ALICE'] as const;

export interface Placed {
  status: number;
  orderId?: string;
  /** performance.now() when the response had been read. */
  atMs: number;
  error?: string;
}

export class OrderClient {
  readonly agent: http.Agent;
  #url = new URL('/orders', baseUrl('order'));
  #n = 0;
  #authorization = '';
  #refresh: NodeJS.Timeout | undefined;

  constructor(maxSockets: number) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Takes the operator's token now and keeps it fresh (the provider's tokens live 15 minutes). */
  async authorize(tokens: TokenIssuer): Promise<void> {
    this.#authorization = `Bearer ${await tokens.operatorToken()}`;
    this.#refresh = setInterval(() => {
      tokens.operatorToken().then(
        (token) => {
          this.#authorization = `Bearer ${token}`;
        },
        () => {}, // keep the current one; the next tick tries again
      );
    }, 30_000).unref();
  }

  place(): Promise<Placed> {
    const n = this.#n++;
    const body = JSON.stringify({
      customerId: `BENCH-${n % 1000}`,
      email: `bench${n % 1000}@example.com`,
      items: [{ sku: catalogue[n % catalogue.length], qty: 1 }],
      paymentMethod: 'pm_card_visa',
    });
    return new Promise((resolve) => {
      const req = http.request(
        this.#url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: this.#authorization },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const atMs = performance.now();
            const status = res.statusCode ?? 0;
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { orderId?: string };
              resolve(
                status === 202 && parsed.orderId ? { status, orderId: parsed.orderId, atMs } : { status, atMs, error: `HTTP ${status}` },
              );
            } catch {
              resolve({ status, atMs, error: `HTTP ${status}, body not JSON` });
            }
          });
          res.on('error', (err) => resolve({ status: res.statusCode ?? 0, atMs: performance.now(), error: err.message }));
        },
      );
      req.on('error', (err) => resolve({ status: 0, atMs: performance.now(), error: err.message }));
      req.end(body);
    });
  }

  close(): void {
    clearInterval(this.#refresh);
    this.agent.destroy();
  }
}

/** Sets every catalogue SKU's available stock (inventory caps it at 1 000 000; operators only). */
export async function restock(tokens: TokenIssuer, available = 1_000_000): Promise<void> {
  const authorization = `Bearer ${await tokens.operatorToken()}`;
  await Promise.all(
    catalogue.map(async (sku) => {
      const res = await fetch(`${baseUrl('inventory')}/products/${sku}/stock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ available }),
      });
      if (!res.ok) throw new Error(`restocking ${sku}: HTTP ${res.status} ${await res.text()}`);
    }),
  );
}
