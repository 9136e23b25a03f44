import test from 'ava';
import { safeReturnTo } from '../../src/auth/auth-routes.js';
import { LoginCookie } from '../../src/auth/login-cookie.js';
import { SessionStore } from '../../src/auth/session-store.js';
import { graphLinks } from '../../src/web/graph-links.js';
import { withTraceLinks } from '../../src/web/xray.js';

// The sign-in's rules that need no browser (the browser test walks the whole flow).

test('when a sign-in names where to return, then only a path of the console is taken; another site is the start page', (t) => {
  t.is(safeReturnTo('/#/orders/1b4e28ba-2fa1-11d2-883f-0016d3cca427'), '/#/orders/1b4e28ba-2fa1-11d2-883f-0016d3cca427');
  t.is(safeReturnTo('/#/dead-letters?queue=payment'), '/#/dead-letters?queue=payment');
  for (const hostile of [
    '//evil.example/',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    ' /',
    '/a b',
    undefined,
    ['/x'],
  ]) {
    t.is(safeReturnTo(hostile), '/', String(hostile));
  }
  t.is(safeReturnTo(`/${'a'.repeat(600)}`), '/', 'a very long one');
});

test('when a session is created, then its cookie finds it until the token expires, and a forged or ended one finds nothing', (t) => {
  let now = 1_000_000;
  const sessions = new SessionStore('s'.repeat(32), () => now);
  const session = { caller: { kind: 'operator' as const, subject: 'ops' }, accessToken: 'token', expiresAt: now + 60_000 };
  const id = sessions.create(session);
  t.regex(id, /^[A-Za-z0-9_-]{43}$/);
  t.is(sessions.get(id), session);
  t.is(sessions.get(`${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`), undefined);
  t.is(sessions.get('x'.repeat(5000)), undefined);
  // Another secret (another console, or a new secret) does not know the cookie.
  t.is(new SessionStore('t'.repeat(32), () => now).get(id), undefined);
  now += 60_000;
  t.is(sessions.get(id), undefined, 'expired with its token');
  t.is(sessions.size, 0);
  const again = sessions.create({ ...session, expiresAt: now + 1000 });
  sessions.delete(again);
  t.is(sessions.get(again), undefined, 'signed out');
});

test('when a sign-in is under way, then its cookie opens to it within ten minutes, and a forged, altered or late one to nothing', async (t) => {
  let now = 1_000_000_000;
  const cookie = new LoginCookie('s'.repeat(32), 600, () => now);
  const login = { state: 's', codeVerifier: 'v'.repeat(43), nonce: 'n', returnTo: '/#/dead-letters' };
  const sealed = await cookie.seal(login);
  t.regex(sealed, /^[A-Za-z0-9_.-]+$/, 'a cookie value as it is');
  t.false(sealed.includes(login.codeVerifier), 'the verifier is not readable in the browser');
  t.deepEqual(await cookie.open(sealed), login);
  const [h, k, iv, c, tag] = sealed.split('.');
  const flipped = `${c!.slice(0, -2)}${c!.endsWith('AA') ? 'BB' : 'AA'}`;
  t.is(await cookie.open([h, k, iv, flipped, tag].join('.')), undefined, 'altered');
  t.is(await new LoginCookie('t'.repeat(32), 600, () => now).open(sealed), undefined, 'another secret');
  t.is(await cookie.open('x'.repeat(5000)), undefined, 'oversized');
  t.is(await cookie.open(undefined), undefined);
  now += 601_000;
  t.is(await cookie.open(sealed), undefined, 'too late');
});

test('when Prometheus or a tracing UI is configured, then the links are built from their URLs; unset, there are none', (t) => {
  t.deepEqual(graphLinks(undefined), []);
  const links = graphLinks('http://127.0.0.1:9090/');
  t.true(links.length >= 3);
  const dlq = new URL(links.find((l) => l.title.includes('Dead-letter'))!.url);
  t.is(dlq.origin + dlq.pathname, 'http://127.0.0.1:9090/graph');
  t.is(dlq.searchParams.get('g0.expr'), 'max by (queue) (rabbitmq_detailed_queue_messages_ready{queue=~".+\\\\.dlq"})');
  const hop = {
    id: '1',
    type: 'order.placed',
    kind: 'event' as const,
    source: 'order',
    time: '',
    causationId: null,
    sincePreviousMs: null,
    data: {},
  };
  const [linked, none] = withTraceLinks(
    [
      { ...hop, traceId: 'abc/1' },
      { ...hop, traceId: null },
    ],
    'https://jaeger.example/trace/{traceId}',
  );
  t.is(linked?.traceUrl, 'https://jaeger.example/trace/abc%2F1');
  t.is(none?.traceUrl, undefined);
});
