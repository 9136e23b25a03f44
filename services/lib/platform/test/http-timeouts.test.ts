import { connect } from 'node:net';
import Router from '@koa/router';
import test from 'ava';
import { tokenVerifier } from '../src/http/auth.js';
import { type HttpServer, startHttpServer } from '../src/http/server.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';

/**
 * Slow clients: one that sends its headers and then trickles the body, or
 * dribbles the headers themselves, is answered 408 and disconnected within the configured
 * HTTP_REQUEST_TIMEOUT_MS / HTTP_HEADERS_TIMEOUT_MS — not held for Node's default 300 s.
 */
const issuer = await testIssuer();
const token = await issuer.operator();
const routes = new Router();
routes.post('/echo', (ctx) => {
  ctx.body = (ctx.request as { body?: unknown }).body;
});
const timeouts = { headersMs: 1_000, requestMs: 1_500 };

let http: HttpServer;
test.before(async () => {
  http = await startHttpServer({
    port: 0,
    logger: createLogger('test', 'silent'),
    metrics: createMetrics('timeouts'),
    lifecycle: new Lifecycle(),
    routes,
    auth: tokenVerifier(issuer.auth),
    timeouts,
  });
});
test.after.always(async () => {
  http.server.closeAllConnections();
  await http.close();
});

/**
 * Writes `head` at once, then `drip` one byte every 200 ms, until the server answers or closes
 * (or `giveUpMs` passes); what it answered and when.
 */
function slowClient(head: string, drip: string, giveUpMs = 8_000): Promise<{ answer: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(http.port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const done = (closed: boolean) => {
      clearInterval(dripping);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ answer, closed, ms: Math.round(performance.now() - started) });
    };
    const dripping = setInterval(() => {
      if (sent < drip.length && socket.writable) socket.write(drip[sent++]!);
    }, 200);
    const giveUp = setTimeout(() => done(false), giveUpMs);
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => done(true));
  });
}

test('when a client sends its headers and then trickles the body, then it is answered 408 and disconnected within the request timeout', async (t) => {
  const body = JSON.stringify({ padding: 'x'.repeat(200) });
  const head =
    'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Authorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const { answer, closed, ms } = await slowClient(head, body);
  t.log(`answered after ${ms} ms: ${JSON.stringify(answer.split('\r\n')[0] ?? '')}`);
  t.regex(answer, /^HTTP\/1\.1 408 /, 'answered 408 Request Timeout');
  t.true(closed, 'and disconnected');
  // Node checks once a second (connectionsCheckingInterval): the limit, plus that, plus slack.
  t.true(ms >= timeouts.requestMs - 100 && ms < timeouts.requestMs + 2_500, `cut off after ${ms} ms`);
});

test('when a client dribbles its headers, then it is answered 408 and disconnected within the headers timeout', async (t) => {
  const { answer, closed, ms } = await slowClient('GET /healthz HTTP/1.1\r\n', 'X-Slow: '.padEnd(200, 'y'));
  t.log(`answered after ${ms} ms: ${JSON.stringify(answer.split('\r\n')[0] ?? '')}`);
  t.regex(answer, /^HTTP\/1\.1 408 /);
  t.true(closed);
  t.true(ms < timeouts.headersMs + 2_500, `cut off after ${ms} ms`);
});

test('when a client sends its body in time, then it is served', async (t) => {
  const res = await fetch(`http://127.0.0.1:${http.port}/echo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ok: true }),
  });
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { ok: true });
});

test('when the headers timeout is longer than the request timeout, then the server refuses to start, naming both', async (t) => {
  const err = await t.throwsAsync(
    startHttpServer({
      port: 0,
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('timeouts-bad'),
      lifecycle: new Lifecycle(),
      timeouts: { headersMs: 5_000, requestMs: 2_000 },
    }),
  );
  t.regex(err.message, /HTTP_HEADERS_TIMEOUT_MS.*HTTP_REQUEST_TIMEOUT_MS/);
});
