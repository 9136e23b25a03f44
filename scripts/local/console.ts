/**
 * The operations console in the local stack (npm start): its browser-facing address, its session
 * key — generated once per machine into `<ORDERLY_STATE_DIR>/console/secrets.json` (0600), like the
 * identity provider's secrets — and the Prometheus its pages link to. Its broker user and database
 * role are credentials.ts's; the identity provider allows its sign-in callback (identity.ts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { prometheusUrl } from './prometheus.ts';
import { keptSecrets } from './secrets-file.ts';
import { baseUrl } from './services.ts';

const stateDir = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';
export const consolePublicUrl = baseUrl('console');
/** Where the identity provider sends an operator back after sign-in. */
export const consoleCallback = `${consolePublicUrl}/auth/callback`;

export async function consoleSettings({ prometheus }: { prometheus: boolean }): Promise<Record<string, string>> {
  const { sessionSecret } = await keptSecrets(
    join(stateDir, 'console', 'secrets.json'),
    () => ({ sessionSecret: randomBytes(32).toString('base64url') }),
    (kept) => typeof kept.sessionSecret === 'string' && kept.sessionSecret.length >= 32,
  );
  return {
    CONSOLE_PUBLIC_URL: consolePublicUrl,
    CONSOLE_SESSION_SECRET: sessionSecret,
    ...(prometheus ? { PROMETHEUS_URL: prometheusUrl } : {}),
  };
}
