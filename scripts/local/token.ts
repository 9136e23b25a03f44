/**
 * `npm run token -- --customer C100` | `--operator` | `--login ops`: prints an access token of the
 * local demo provider (npm start runs it) for curl:
 *
 *   TOKEN=$(npm run -s token -- --customer C100)
 *   curl -H "authorization: Bearer $TOKEN" localhost:8080/orders
 *
 * --customer and --login sign in the way a browser does (authorization code + PKCE with the demo
 * password, no browser needed); --operator uses client credentials (the tools client). --browser
 * with --customer prints the sign-in URL to open in a browser instead and waits for the redirect.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { authorizationUrl, exchangeCode, pkcePair } from '@orderly/identity/client';
import { identitySecrets, localAudience, localIssuer, localTokens } from './identity.ts';

const issuer = await localIssuer();

const { values } = parseArgs({
  options: {
    customer: { type: 'string' },
    login: { type: 'string' },
    operator: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const account = values.customer ?? values.login;
if (values.help || (!account && !values.operator)) {
  console.error(`usage: npm run -s token -- --customer C100 | --login ops | --operator [--browser]
  demo accounts: C100, C200 (customers), ops (operator); password in ${process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly'}/identity/secrets.json`);
  process.exit(values.help ? 0 : 2);
}

/** RFC 8252: a loopback redirect on a free port, the sign-in in the user's browser. */
async function browserToken(): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const state = crypto.randomUUID();
  let resolveCode: (code: string) => void;
  const code = new Promise<string>((r) => {
    resolveCode = r;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback' || url.searchParams.get('state') !== state) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in: you can close this tab.\n');
    resolveCode(url.searchParams.get('code') ?? '');
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const request = { issuer, audience: localAudience, clientId: 'orderly-cli', redirectUri };
  console.error(
    `Open this in a browser and sign in as ${account} (password in the secrets file):\n${await authorizationUrl({ ...request, challenge, state })}`,
  );
  try {
    return await exchangeCode({ ...request, code: await code, verifier });
  } finally {
    server.close();
  }
}

try {
  await identitySecrets();
  const tokens = await localTokens();
  const token = values.operator
    ? await tokens.operatorToken()
    : values.browser
      ? await browserToken()
      : await tokens.customerToken(account!);
  console.log(token);
} catch (err) {
  console.error(`token: ${(err as Error).message} (is npm start running? the provider is ${issuer})`);
  process.exit(1);
}
