/**
 * `npm start`: the local stack in the foreground with prefixed, readable logs: every service, the
 * operations console on :8087, and Prometheus on :9090 scraping them with the chart's alert rules. Ctrl-C (or SIGTERM) stops every process
 * gracefully. One that exits on its own is restarted with back-off, as Kubernetes restarts a pod,
 * and the stack says so; the others keep running. scripts/setup.sh has started RabbitMQ and
 * PostgreSQL and installed Prometheus. ORDERLY_PROCESSES=one runs the seven services in one Node
 * process instead (process-mode.ts).
 */

import { consolePublicUrl } from './console.ts';
import { localIssuer } from './identity.ts';
import { describeRestart, type LocalStack, stackRunning, startLocalStack } from './local-stack.ts';
import { formatLogLine } from './log-format.ts';
import { processModeFrom } from './process-mode.ts';
import { prometheusUrl } from './prometheus.ts';
import { baseUrl, services } from './services.ts';

// One per process: the services, the console, the identity provider, Prometheus.
const colours = ['\x1b[36m', '\x1b[35m', '\x1b[34m', '\x1b[32m', '\x1b[33m', '\x1b[96m', '\x1b[95m', '\x1b[94m', '\x1b[92m', '\x1b[93m'];
const width = Math.max(...services.map((s) => s.name.length));
const prefix = (name: string, i: number) => `${colours[i % colours.length]}${name.padEnd(width)} │\x1b[0m`;

if (await stackRunning()) {
  console.error(`▸ something already answers on ${baseUrl('order')}: is Orderly running in another terminal?`);
  process.exit(1);
}

let stack: LocalStack | undefined;
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\n▸ stopping services (SIGTERM, draining in-flight work)…');
  await stack?.stop();
  console.log('▸ stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

const where = processModeFrom(process.env) === 'one' ? 'in one process' : 'each its own process';
console.log(`▸ starting ${services.length} services (${where}) and the console (SAGA_MODE=${process.env.SAGA_MODE ?? 'choreography'})`);
try {
  stack = await startLocalStack({
    prometheus: true,
    console: true,
    onLine: (name, i, line) => console.log(`${prefix(name, i)} ${formatLogLine(line)}`),
    onRestart: (event) => console.error(`\x1b[1m${describeRestart(event)}\x1b[0m`),
  });
} catch (err) {
  console.error(`▸ ${(err as Error).message}`);
  process.exit(1);
}
const rows = services.map((s) => `  ${s.name.padEnd(width)}  ${baseUrl(s.name)}   metrics ${baseUrl(s.name)}/metrics`);
console.log(`
▸ Orderly is running. Ctrl-C stops it.
${rows.join('\n')}
  RabbitMQ management     http://127.0.0.1:15672  (guest / guest)
  RabbitMQ metrics        http://127.0.0.1:15692/metrics  (per queue: /metrics/detailed?family=queue_coarse_metrics)
  Operations console      ${consolePublicUrl}  (sign in as ops: npm run -s token -- --password ops; docs/console.md)
  Prometheus              ${prometheusUrl}  (every service and the broker, the chart's alert rules: /alerts; docs/observability.md)
  Traces                  set OTEL_EXPORTER_OTLP_ENDPOINT to a collector (README: Observability)
  Identity provider       ${process.env.AUTH_ISSUER ?? (await localIssuer())}  (demo accounts C100, C200, ops; docs/security.md)

  Get a token:     TOKEN=$(npm run -s token -- --customer C100)      (or --operator)
  Place an order:  curl -X POST localhost:8080/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
                     -d '{"items":[{"sku":"TSHIRT-BLK-M","qty":1}]}'
  Run the demo:    npm run demo
`);
