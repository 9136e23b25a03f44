/**
 * `npm run token -- --customer C100` | `--operator` | `--login ops`: prints an access token of the
 * local demo provider (npm start runs it) for curl; `--password ops` prints that account's own
 * password instead (for the login page: the console, --browser; with --cluster, from the chart's
 * Secret):
 *
 *   TOKEN=$(npm run -s token -- --customer C100)
 *   curl -H "authorization: Bearer $TOKEN" localhost:8080/orders
 *
 * --customer and --login sign in the way a browser does (authorization code + PKCE with the
 * account's own password, no browser needed); --operator uses client credentials (the tools client). --browser
 * with --customer prints the sign-in URL to open in a browser instead and waits for the redirect.
 *
 * On a cluster (scripts/local/cluster-token.ts): `--cluster` asks the chart's demo provider through
 * its port-forward (secret from `kubectl`), `--issuer URL` any provider's client-credentials client
 * (secret from --client-secret-file or ORDERLY_CLIENT_SECRET): an operator token either way.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { authorizationUrl, exchangeCode, passwordOf, pkcePair } from '@orderly/identity/client';
import { accountPasswordFromCluster, issuerOptions, operatorTokenFrom } from './cluster-token.ts';
import { identitySecrets, identitySecretsFile, localAudience, localIssuer, localTokens } from './identity.ts';

const { values } = parseArgs({
  options: {
    customer: { type: 'string' },
    password: { type: 'string' },
    login: { type: 'string' },
    operator: { type: 'boolean', default: false },
    browser: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    namespace: { type: 'string', default: 'orderly' },
    release: { type: 'string', default: 'orderly' },
    port: { type: 'string', default: '8090' },
    issuer: { type: 'string' },
    'token-url': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret-file': { type: 'string' },
    audience: { type: 'string' },
    scope: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const account = values.customer ?? values.login;
const elsewhere = values.cluster || values.issuer !== undefined;
if (values.help || (!account && !values.operator && !elsewhere && values.password === undefined)) {
  console.error(`usage: npm run -s token -- --customer C100 | --login ops | --operator [--browser]
       npm run -s token -- --password ops [--cluster]                          (prints the account's own password)
       npm run -s token -- --cluster [--namespace orderly] [--port 8090]      (the chart's demo provider, port-forwarded)
       npm run -s token -- --issuer URL [--token-url URL] [--client-id ID] [--client-secret-file F] [--audience A|none] [--scope S]
  demo accounts: C100, C200 (customers), ops (operator), each with its own password (--password, or ${identitySecretsFile})
  --cluster and --issuer print an operator token (client credentials); the secret comes from the cluster, the file or ORDERLY_CLIENT_SECRET`);
  process.exit(values.help ? 0 : 2);
}

if (values.password !== undefined) {
  try {
    console.log(
      values.cluster
        ? await accountPasswordFromCluster(values.namespace, values.release, values.password)
        : passwordOf((await identitySecrets()).accountPasswords, values.password),
    );
    process.exit(0);
  } catch (err) {
    console.error(`token: ${(err as Error).message}`);
    process.exit(1);
  }
}

if (elsewhere) {
  if (account) {
    console.error('token: --cluster and --issuer give operator tokens (client credentials); a customer signs in through the browser flow');
    process.exit(2);
  }
  try {
    const options = await issuerOptions({
      cluster: values.cluster,
      namespace: values.namespace,
      release: values.release,
      port: values.port,
      issuer: values.issuer,
      tokenUrl: values['token-url'],
      clientId: values['client-id'],
      clientSecretFile: values['client-secret-file'],
      audience: values.audience === 'none' ? '' : values.audience,
      scope: values.scope,
    });
    console.log(await operatorTokenFrom(options));
    process.exit(0);
  } catch (err) {
    const hint = values.cluster
      ? ` (is the provider forwarded? kubectl -n ${values.namespace} port-forward svc/${values.release}-identity ${values.port}:8090)`
      : '';
    console.error(`token: ${(err as Error).message}${hint}`);
    process.exit(1);
  }
}

const issuer = await localIssuer();

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
    `Open this in a browser and sign in as ${account} (password: npm run -s token -- --password ${account}):\n${await authorizationUrl({ ...request, challenge, state })}`,
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
