import test from 'ava';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from '../src/config.js';
import { requiredSettings } from '../src/testing/settings.js';

const schema = baseConfigSchema.extend({ PORT: z.coerce.number().int().min(0).max(65535).default(8080) });

test('when the broker or database URL is missing, then the service stops naming it (no default credentials)', (t) => {
  const err = t.throws(() => loadConfig(schema, {}), { instanceOf: ConfigError });
  t.regex(err.message, /AMQP_URL/);
  t.regex(err.message, /DATABASE_URL/);
  t.notRegex(err.message, /guest|orderly:orderly/);
});

const secrets = requiredSettings;

test('when the token issuer is not configured, then the service stops naming each AUTH_ variable', (t) => {
  const { AUTH_ISSUER: _i, AUTH_AUDIENCE: _a, AUTH_JWKS_URL: _j, ...rest } = requiredSettings;
  const err = t.throws(() => loadConfig(schema, rest), { instanceOf: ConfigError });
  for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL']) t.regex(err.message, new RegExp(name));
});

test('when the accepted algorithms name a symmetric one or none, then the service refuses to start; asymmetric ones are read as a list', (t) => {
  for (const bad of ['HS256', 'RS256,none', 'none', ',']) {
    t.throws(() => loadConfig(schema, { ...requiredSettings, AUTH_ALGORITHMS: bad }), { message: /AUTH_ALGORITHMS/ }, bad);
  }
  t.deepEqual(loadConfig(schema, { ...requiredSettings, AUTH_ALGORITHMS: 'RS256, ES256' }).AUTH_ALGORITHMS, ['RS256', 'ES256']);
  t.deepEqual(loadConfig(schema, requiredSettings).AUTH_ALGORITHMS, ['RS256', 'PS256', 'ES256', 'EdDSA']);
});

test('when the JWKS URL is not http(s), then the service refuses to start', (t) => {
  t.throws(() => loadConfig(schema, { ...requiredSettings, AUTH_JWKS_URL: 'file:///etc/keys.json' }), { message: /AUTH_JWKS_URL/ });
});

test('when nothing but the secrets is set, then the defaults apply', (t) => {
  const config = loadConfig(schema, secrets);
  t.is(config.PORT, 8080);
  t.is(config.AMQP_URL, secrets.AMQP_URL);
  t.is(config.LOG_LEVEL, 'info');
  t.is(config.DB_POOL_SIZE, 5);
  t.is(config.SAGA_MODE, 'choreography');
  t.is(config.RABBITMQ_MANAGEMENT_URL, undefined);
});

test('when variables are set, then they are parsed to their types', (t) => {
  const config = loadConfig(schema, { ...secrets, PORT: '9090', LOG_LEVEL: 'debug', AMQP_URL: 'amqps://u:p@rabbit/v', PREFETCH: '8' });
  t.is(config.PORT, 9090);
  t.is(config.LOG_LEVEL, 'debug');
  t.is(config.AMQP_URL, 'amqps://u:p@rabbit/v');
  t.is(config.PREFETCH, 8);
});

test('when the config is loaded, then it cannot be changed', (t) => {
  const config = loadConfig(schema, secrets);
  t.true(Object.isFrozen(config));
  t.throws(() => {
    (config as { PORT: number }).PORT = 1;
  });
});

test('when a variable is the empty string, then it counts as unset', (t) => {
  const config = loadConfig(schema, { ...secrets, PORT: '', LOG_LEVEL: '', DB_SCHEMA: '' });
  t.is(config.PORT, 8080);
  t.is(config.LOG_LEVEL, 'info');
  t.is(config.DB_SCHEMA, undefined);
});

for (const [name, value] of [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['AMQP_URL', 'http://x'],
  ['DATABASE_URL', 'mysql://db/x'],
  ['LOG_LEVEL', 'loud'],
  ['PREFETCH', '0'],
] as const) {
  test(`when ${name}=${value}, then loading fails with a ConfigError naming ${name}`, (t) => {
    const error = t.throws(() => loadConfig(schema, { [name]: value }), { instanceOf: ConfigError });
    t.regex(error?.message ?? '', new RegExp(`\\b${name}:`));
  });
}

test('when several variables are bad, then the error names every one of them', (t) => {
  const error = t.throws(() => loadConfig(schema, { ...secrets, PORT: 'abc', AMQP_URL: 'http://x', LOG_LEVEL: 'loud', PREFETCH: '32' }), {
    instanceOf: ConfigError,
  });
  const named = [...(error?.message ?? '').matchAll(/^\s+(\w+):/gm)].map((m) => m[1]).sort();
  t.deepEqual(named, ['AMQP_URL', 'LOG_LEVEL', 'PORT']);
});

test('when a variable is only blanks, then it counts as unset and its default applies', (t) => {
  const schema = baseConfigSchema.extend({ PORT: baseConfigSchema.shape.PORT.default(8080) });
  t.is(loadConfig(schema, { ...secrets, PORT: '   ' }).PORT, 8080);
});

test('when the HTTP timeouts are not set, then a slow client gets 10 s for its headers and 30 s for the whole request; out-of-range values are refused', (t) => {
  const config = loadConfig(schema, secrets);
  t.is(config.HTTP_HEADERS_TIMEOUT_MS, 10_000);
  t.is(config.HTTP_REQUEST_TIMEOUT_MS, 30_000);
  t.is(config.METRICS_MAX_AGE_MS, 1_000);
  for (const name of ['HTTP_HEADERS_TIMEOUT_MS', 'HTTP_REQUEST_TIMEOUT_MS']) {
    for (const bad of ['0', '999', '300001', 'soon']) {
      t.throws(() => loadConfig(schema, { ...secrets, [name]: bad }), { message: new RegExp(name) }, `${name}=${bad}`);
    }
  }
});
