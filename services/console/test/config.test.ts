import { ConfigError, loadConfig } from '@orderly/platform';
import { requiredSettings } from '@orderly/platform/testing';
import test from 'ava';
import { oidcResource } from '../src/auth/config.js';
import { configSchema } from '../src/config.js';

const settings = {
  ...requiredSettings,
  AMQP_URL: 'amqp://orderly-console:s3cret@rabbit/orderly',
  CONSOLE_PUBLIC_URL: 'https://console.example.com',
  CONSOLE_SESSION_SECRET: 'x'.repeat(32),
};

test('when only what has no default is set, then the console listens on 8087, declares nothing and redrives 50 a second', (t) => {
  t.like(loadConfig(configSchema, settings), {
    PORT: 8087,
    BROKER_DECLARE_TOPOLOGY: false,
    SERVICE_URL_TEMPLATE: 'http://127.0.0.1:{port}',
    STUCK_AFTER_S: 300,
    REDRIVE_RATE_PER_S: 50,
    PROMETHEUS_URL: undefined,
  });
});

test('when the session secret is missing or short, then the start fails naming it', (t) => {
  const { CONSOLE_SESSION_SECRET: _, ...without } = settings;
  t.throws(() => loadConfig(configSchema, without), { instanceOf: ConfigError, message: /CONSOLE_SESSION_SECRET/ });
  t.throws(() => loadConfig(configSchema, { ...settings, CONSOLE_SESSION_SECRET: 'short' }), {
    message: /CONSOLE_SESSION_SECRET: must be at least 32/,
  });
});

test('when a template or a rate is not usable, then the start fails naming the variable', (t) => {
  t.throws(() => loadConfig(configSchema, { ...settings, SERVICE_URL_TEMPLATE: 'not a url {port}' }), { message: /SERVICE_URL_TEMPLATE/ });
  t.throws(() => loadConfig(configSchema, { ...settings, TRACE_URL_TEMPLATE: 'https://jaeger.example/trace/' }), {
    message: /TRACE_URL_TEMPLATE/,
  });
  t.throws(() => loadConfig(configSchema, { ...settings, REDRIVE_RATE_PER_S: '0' }), { message: /REDRIVE_RATE_PER_S/ });
  t.like(loadConfig(configSchema, { ...settings, TRACE_URL_TEMPLATE: 'https://jaeger.example/trace/{traceId}' }), {
    TRACE_URL_TEMPLATE: 'https://jaeger.example/trace/{traceId}',
  });
});

test('when the resource indicator is unset, none or a URI, then the sign-in sends the audience, nothing or that URI; anything else fails', (t) => {
  const resource = (value?: string) =>
    oidcResource(loadConfig(configSchema, { ...settings, ...(value ? { CONSOLE_OIDC_RESOURCE: value } : {}) }));
  t.is(resource(), requiredSettings.AUTH_AUDIENCE);
  t.is(resource('none'), undefined);
  t.is(resource('api://orderly'), 'api://orderly');
  t.throws(() => resource('not a uri'), { message: /CONSOLE_OIDC_RESOURCE/ });
});
