/**
 * Live check of an installed release (not run in CI: it needs a cluster). Waits for the broker and
 * every Deployment, port-forwards to the order API and the RabbitMQ management API, runs the demo
 * scenarios, then drives load and watches each consumer's replicas follow its queue depth.
 * It calls as an operator: with ORDERLY_TOKEN set (a token of your identity provider), that token;
 * otherwise one of the chart's demo provider (auth.demoProvider.enabled), by client credentials
 * through a port-forward, with the tools client's secret from the release's Secret.
 * Usage: node --conditions=source --import tsx scripts/k8s/live/main.ts [--namespace orderly] [--orders 3000]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { consumerQueues, type SagaMode, servicePorts } from '@orderly/events';
import { clientCredentialsToken, toolsClientId } from '@orderly/identity';
import { managementClient } from '@orderly/platform';
import { ApiClient, catalogue, type TokenSource, tokenCache } from '@orderly/testkit';
import { Cluster } from './cluster.js';
import { allReady, deploymentReadiness, describeWaiting, type Readiness, rabbitmqClusterReadiness } from './readiness.js';
import { formatLiveReport, type LiveReport, livePassed } from './report.js';
import { analyseConsumer, type Sample, watchDone } from './scaling-watch.js';
import { isSettled, judge, type OrderView, scenarios } from './scenarios.js';

const { values: opts } = parseArgs({
  options: {
    namespace: { type: 'string', default: 'orderly' },
    release: { type: 'string', default: 'orderly' },
    orders: { type: 'string', default: '3000' },
    'queue-length': { type: 'string', default: '16' },
    'watch-minutes': { type: 'string', default: '10' },
    'saga-mode': { type: 'string', default: 'choreography' },
  },
});
const cluster = new Cluster(opts.namespace);
const release = opts.release;
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function readiness(): Promise<Readiness[]> {
  const rabbit = (await cluster.rabbitmqClusters()).items.map(rabbitmqClusterReadiness);
  const deployments = (await cluster.deployments()).map((d) => deploymentReadiness(d as Parameters<typeof deploymentReadiness>[0]));
  return [...rabbit, ...deployments];
}

async function waitReady(deadline: number): Promise<Readiness[]> {
  for (;;) {
    const r = await readiness();
    if (allReady(r) || Date.now() > deadline) return r;
    log(describeWaiting(r));
    await sleep(5_000);
  }
}

async function placeOrder(api: ApiClient, body: unknown): Promise<string | undefined> {
  const res = await api.placeOrder(body);
  return res.status === 202 ? (res.body as { orderId: string }).orderId : undefined;
}

/** Every answer while polling, not only the last: the report shows the path each order took. */
async function pollOrder(api: ApiClient, id: string, timeoutMs = 60_000): Promise<OrderView[]> {
  const seen: OrderView[] = [];
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const o = await api.order(id);
    if (o) {
      seen.push(o);
      if (isSettled(o)) break;
    }
    await sleep(500);
  }
  return seen;
}

async function queueDepth(mgmt: ReturnType<typeof managementClient>, queue: string): Promise<number> {
  const res = await mgmt.request(`api/queues/orderly/${encodeURIComponent(queue)}`);
  // messages = ready + unacknowledged: what KEDA's QueueLength counts over the HTTP protocol.
  return res.ok ? (((await res.json()) as { messages?: number }).messages ?? 0) : Number.NaN;
}

const ready = await waitReady(Date.now() + 10 * 60_000);
const orderFwd = await cluster.portForward(
  await cluster.podFor(`app.kubernetes.io/instance=${release},app.kubernetes.io/component=order`),
  servicePorts.order,
);
const rabbitFwd = await cluster.portForward(await cluster.podFor(`app.kubernetes.io/name=${release}-rabbitmq`), 15672);
/** The operator's token: ORDERLY_TOKEN, or the demo provider's (client credentials through a port-forward). */
async function operatorToken(): Promise<TokenSource> {
  const given = process.env.ORDERLY_TOKEN;
  if (given) return async () => given;
  const idpFwd = await cluster.portForward(
    await cluster.podFor(`app.kubernetes.io/instance=${release},app.kubernetes.io/component=identity`),
    8090,
  );
  const clientSecret = await cluster.secret(`${release}-identity`, 'tools-client-secret');
  // Tokens name the issuer the services trust (the provider's in-cluster URL); only the token endpoint is forwarded.
  const issuer = `http://${release}-identity.${opts.namespace}.svc:8090`;
  const get = tokenCache(() =>
    clientCredentialsToken({
      issuer,
      audience: 'urn:orderly:api',
      clientId: toolsClientId,
      clientSecret,
      tokenEndpoint: `http://127.0.0.1:${idpFwd.port}/token`,
    }),
  );
  return () => get('');
}
// Only the order API is forwarded: the client asks nothing of the other services here.
const api = new ApiClient(() => `http://127.0.0.1:${orderFwd.port}`, await operatorToken());
const user = await cluster.secret(`${release}-rabbitmq-default-user`, 'username');
const pass = await cluster.secret(`${release}-rabbitmq-default-user`, 'password');
const mgmtUrl = new URL(`http://127.0.0.1:${rabbitFwd.port}/`);
mgmtUrl.username = encodeURIComponent(user);
mgmtUrl.password = encodeURIComponent(pass);
const mgmt = managementClient(mgmtUrl.toString());

log('running the demo scenarios');
const scenarioResults = [];
for (const s of scenarios) {
  const id = await placeOrder(api, s.body);
  scenarioResults.push(judge(s, id ? await pollOrder(api, id) : []));
}

const deploymentOf = (c: string) => `${release}-${c}`;
// The consumers the release runs, each with the queues it consumes (a Deployment may consume several).
const deployed = new Set((await cluster.deployments()).map((d) => d.metadata?.name));
const queuesOf = new Map<string, string[]>();
for (const { queue, service } of consumerQueues(opts['saga-mode'] as SagaMode)) {
  if (deployed.has(deploymentOf(service))) queuesOf.set(service, [...(queuesOf.get(service) ?? []), queue]);
}
const consumingServices = [...queuesOf.keys()];
const depthOf = async (service: string) => {
  let sum = 0;
  for (const q of queuesOf.get(service) ?? []) sum += await queueDepth(mgmt, q);
  return sum;
};
const baselines = Object.fromEntries(
  await Promise.all(consumingServices.map(async (c) => [c, await cluster.replicas(deploymentOf(c))] as const)),
);
const samples: Sample[] = [];
const started = Date.now();
const total = Number(opts.orders);
let sent = 0;
let failed = 0;
log(`driving load: ${total} orders`);
const load = (async () => {
  const skus = [catalogue.tshirt, catalogue.laptop, catalogue.book];
  for (let i = 0; i < total; i += 20) {
    const batch = Array.from({ length: Math.min(20, total - i) }, (_, j) =>
      placeOrder(api, {
        customerId: `load-${(i + j) % 50}`,
        email: 'load@example.com',
        items: [{ sku: skus[(i + j) % skus.length], qty: 1 }],
        paymentMethod: 'pm_card_visa',
      }),
    );
    for (const id of await Promise.all(batch)) id ? sent++ : failed++;
  }
})();
const watchUntil = started + Number(opts['watch-minutes']) * 60_000;
let loadDone = false;
void load.then(() => {
  loadDone = true;
});
while (Date.now() < watchUntil) {
  const t = Math.round((Date.now() - started) / 1000);
  for (const c of consumingServices)
    samples.push({ t, consumer: c, depth: await depthOf(c), replicas: await cluster.replicas(deploymentOf(c)) });
  log(
    consumingServices
      .map((c) => `${c} ${samples.findLast((x) => x.consumer === c)?.depth}/${samples.findLast((x) => x.consumer === c)?.replicas}`)
      .join('  '),
  );
  if (loadDone && watchDone(samples, baselines)) break;
  await sleep(5_000);
}
await load;

const report: LiveReport = {
  readiness: ready,
  scenarios: scenarioResults,
  scaling: consumingServices.map((c) => analyseConsumer(c, samples, Number(opts['queue-length']))),
  orders: { sent, failed, seconds: Math.round((Date.now() - started) / 1000) },
};
console.log(formatLiveReport(report));
orderFwd.server.close();
rabbitFwd.server.close();
process.exit(livePassed(report) ? 0 : 1);
