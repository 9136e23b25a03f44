import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { createApp, createLogger, createMetrics, Lifecycle, tokenVerifier } from '@orderly/platform';
import { testIssuer } from '@orderly/platform/testing';
import test from 'ava';
import { z } from 'zod';
import { ApiClient } from '../src/api-client.js';
import { ContractCheck } from '../src/contract.js';

const issuer = await testIssuer();
const thing = z.strictObject({ id: z.string(), size: z.number().int() });
// What each route answers, changed by the tests: the document stays as declared.
let answer: { status: number; body: unknown } = { status: 200, body: { id: 'a', size: 1 } };
const routes = new Router();
routes.get('/things/:id', (ctx) => {
  ctx.status = answer.status;
  ctx.body = answer.body;
});

let server: Server;
let api: ApiClient;
test.before(async () => {
  server = createApp({
    logger: createLogger('test', 'silent'),
    metrics: createMetrics('test'),
    lifecycle: new Lifecycle(),
    routes,
    auth: tokenVerifier(issuer.auth),
    info: { service: 'things' },
    api: {
      title: 'Things',
      operations: { 'GET /things/{id}': { summary: 'A thing', responses: { 200: { description: 'The thing', schema: thing } } } },
    },
  }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api = new ApiClient(
    () => base,
    () => issuer.operator(),
    new ContractCheck(),
  );
});
test.after.always(() => server?.close());

test.serial('when a response matches its document, then the call returns it', async (t) => {
  answer = { status: 200, body: { id: 'a', size: 1 } };
  t.is((await api.http('things', '/things/a')).status, 200);
  t.is((await api.http('things', '/things/a/b')).status, 404, 'a documented 404 of an unknown path is not checked against a route');
});

test.serial('when a response has a field, a type or a status the document does not describe, then the call fails', async (t) => {
  answer = { status: 200, body: { id: 'a', size: 1, secret: 'x' } };
  await t.throwsAsync(api.http('things', '/things/a'), { message: /additional properties/ });
  answer = { status: 200, body: { id: 'a', size: 'big' } };
  await t.throwsAsync(api.http('things', '/things/a'), { message: /must be integer/ });
  answer = { status: 201, body: { id: 'a', size: 1 } };
  await t.throwsAsync(api.http('things', '/things/a'), { message: /status 201 is not documented/ });
  answer = { status: 200, body: 'plain text' };
  await t.throwsAsync(api.http('things', '/things/a'), { message: /media type text\/plain is not documented/ });
});
