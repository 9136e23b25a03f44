import { ConfigError, loadConfig } from '@orderly/platform';
import { requiredSettings } from '@orderly/platform/testing';
import test from 'ava';
import { configSchema } from '../src/config.js';

test('when no shipping variable is set, then shipping listens on 8084 with 5 s to dispatch, 10 s to deliver and a 250 ms poll', (t) => {
  t.like(loadConfig(configSchema, requiredSettings), {
    PORT: 8084,
    SHIPPING_DISPATCH_DELAY_MS: 5_000,
    SHIPPING_DELIVERY_DELAY_MS: 10_000,
    SHIPPING_TIMER_POLL_MS: 5000,
    SHIPPING_TIMER_LINGER_MS: 100,
  });
});

test('when the delays are given as text, then they are read as whole milliseconds', (t) => {
  const config = loadConfig(configSchema, {
    ...requiredSettings,
    SHIPPING_DISPATCH_DELAY_MS: '100',
    SHIPPING_DELIVERY_DELAY_MS: '0',
    SHIPPING_TIMER_POLL_MS: '25',
  });
  t.like(config, { SHIPPING_DISPATCH_DELAY_MS: 100, SHIPPING_DELIVERY_DELAY_MS: 0, SHIPPING_TIMER_POLL_MS: 25 });
});

test('when a delay is negative or the poll is zero, then the service refuses to start and names each variable', (t) => {
  const err = t.throws(
    () => loadConfig(configSchema, { ...requiredSettings, SHIPPING_DELIVERY_DELAY_MS: '-1', SHIPPING_TIMER_POLL_MS: '0' }),
    {
      instanceOf: ConfigError,
    },
  );
  t.regex(err.message, /SHIPPING_DELIVERY_DELAY_MS/);
  t.regex(err.message, /SHIPPING_TIMER_POLL_MS/);
  t.notRegex(err.message, /SHIPPING_DISPATCH_DELAY_MS/);
});
