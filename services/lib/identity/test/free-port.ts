import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';

/** A loopback port free now: the provider's issuer names its port, so the port is chosen first. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
