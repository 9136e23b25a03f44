/** The demo identity provider as its own process: the local stack (npm start) and the chart's demo provider for kind. */
import { identityConfigSchema } from './config.js';
import { startIdentityProvider } from './provider.js';

const parsed = identityConfigSchema.safeParse(
  Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v.trim() !== '')),
);
if (!parsed.success) {
  console.error(`identity: invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  process.exit(1);
}
const log = (level: number, fields: Record<string, unknown>, msg: string) =>
  console.log(JSON.stringify({ level, time: Date.now(), service: 'identity', ...fields, msg }));
const idp = await startIdentityProvider({ config: parsed.data, warn: (fields, msg) => log(40, fields, msg) });
log(30, { issuer: idp.issuer, port: idp.port }, 'identity provider ready');
const stop = () => void idp.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
if (parsed.data.IDP_EXIT_WITH_STDIN) {
  // The parent holds the other end: when it goes, however it goes, so does the provider.
  process.stdin.on('end', stop).on('error', stop).resume();
}
