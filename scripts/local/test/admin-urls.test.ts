import test from 'ava';
import { adminOf } from '../credentials.ts';
import { localAdmin } from '../services.ts';

// The bench points AMQP_URL and DATABASE_URL at a fresh vhost and database after these modules
// were loaded; the stack it then starts must use them, not the defaults read at import.
test.serial('when the process environment names the servers after import, then the local stack administrates those', async (t) => {
  const saved = { amqp: process.env.AMQP_URL, db: process.env.DATABASE_URL };
  t.teardown(() => {
    for (const [key, value] of [
      ['AMQP_URL', saved.amqp],
      ['DATABASE_URL', saved.db],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  t.truthy(localAdmin.AMQP_URL);
  process.env.AMQP_URL = 'amqp://someone:secret@127.0.0.1:5672/orderly_bench';
  process.env.DATABASE_URL = 'postgres://someone:secret@127.0.0.1:5440/orderly_bench';
  const admin = await adminOf({});
  t.is(admin.AMQP_URL, process.env.AMQP_URL);
  t.is(admin.DATABASE_URL, process.env.DATABASE_URL);
  t.is((await adminOf({ AMQP_URL: 'amqp://given@127.0.0.1/x' })).AMQP_URL, 'amqp://given@127.0.0.1/x', 'what the caller gives wins');
});
