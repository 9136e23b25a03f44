import { ConfigError, loadConfig } from '@orderly/platform';
import { requiredSettings } from '@orderly/platform/testing';
import test from 'ava';
import { configSchema } from '../src/config.js';

test('when nothing is set, then the audit service listens on 8086 with bounded exports', (t) => {
  t.like(loadConfig(configSchema, requiredSettings), { PORT: 8086, EXPORT_BATCH_ROWS: 500, EXPORT_MAX_CONCURRENT: 2 });
});

test('when exports could take every database connection, then the start fails naming EXPORT_MAX_CONCURRENT', (t) => {
  const err = t.throws(() => loadConfig(configSchema, { ...requiredSettings, DB_POOL_SIZE: '4', EXPORT_MAX_CONCURRENT: '4' }), {
    instanceOf: ConfigError,
  });
  t.regex(err?.message ?? '', /EXPORT_MAX_CONCURRENT: must be below DB_POOL_SIZE/);
});

test('when the export batch size is not a number, then the start fails naming EXPORT_BATCH_ROWS', (t) => {
  t.throws(() => loadConfig(configSchema, { ...requiredSettings, EXPORT_BATCH_ROWS: 'lots' }), { message: /EXPORT_BATCH_ROWS/ });
});
