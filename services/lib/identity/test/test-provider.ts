import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { demoAccounts, newAccountPasswords } from '../src/accounts.js';
import type { RefusalLog } from '../src/authorization-limit.js';
import { identityConfigSchema } from '../src/config.js';
import { startIdentityProvider } from '../src/provider.js';

/** A loopback port free now: the provider's issuer names its port, so the port is chosen first. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The demo provider on a free loopback port with the demo accounts, each with a fresh password of its own. */
export async function startTestProvider(extra: Record<string, string> = {}, warn?: RefusalLog) {
  const passwords = newAccountPasswords(demoAccounts);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const idp = await startIdentityProvider({
    config: identityConfigSchema.parse({
      PORT: String(port),
      IDP_ISSUER: issuer,
      IDP_TOOLS_CLIENT_SECRET: randomBytes(32).toString('base64url'),
      IDP_ACCOUNT_PASSWORDS: JSON.stringify(passwords),
      ...extra,
    }),
    ...(warn ? { warn } : {}),
  });
  return { idp, issuer, passwords };
}
