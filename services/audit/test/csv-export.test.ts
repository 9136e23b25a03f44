import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { operatorHeaders, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { type Service, startAudit } from './helpers.js';

// Serial: the heap is measured in this process, where the service runs too.
const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const header = 'time,type,kind,order_id,source,trace_id,event_id,causation_id,payload';

/** Writes count messages straight into the log, one a second from start, each with a padded payload. */
async function insertMessages(service: Service, count: number, start: string, padBytes: number): Promise<void> {
  await service.db.pool.query(
    `INSERT INTO activity (event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
     SELECT gen_random_uuid(), 'order.placed', 'event', gen_random_uuid()::text, 'order', $2::timestamptz + i * interval '1 second',
            NULL, md5(i::text), jsonb_build_object('n', i, 'pad', repeat('x', $3))
       FROM generate_series(1, $1) AS i`,
    [count, start, padBytes],
  );
}

/**
 * Fetches the export and reads the body as it arrives, keeping only counts. The heap is sampled
 * every millisecond from the request on, so memory the server fills before the first byte counts
 * too; the garbage of what has been read is collected every few chunks, so only what is live adds up.
 */
async function fetchExport(url: string) {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 1);
  try {
    const res = await fetch(url, { headers: await operatorHeaders() });
    const reader = res.body!.getReader();
    let chunks = 0;
    let bytes = 0;
    let lines = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks += 1;
      bytes += value.byteLength;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines += 1;
      if (chunks % 10 === 0) gc();
    }
    return { res, chunks, bytes, lines, heapGrowth: peakHeap - heapBefore };
  } finally {
    clearInterval(sampler);
  }
}

let audit: Awaited<ReturnType<typeof startAudit>>;
test.before(async () => {
  // Small cursor batches, so what the export holds at a time is a small part of the whole.
  audit = await startAudit('csv', cleanups, { EXPORT_BATCH_ROWS: '100' });
});

test.serial(
  'when the log holds thousands of messages, then the export streams them all without the heap growing by its size',
  async (t) => {
    const rows = 5000;
    await insertMessages(audit.service, rows, '2024-01-01T00:00:00Z', 8000);
    const { res, chunks, bytes, lines, heapGrowth } = await fetchExport(audit.url('/events.csv'));
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^text\/csv/);
    t.log({ rows, chunks, exportMB: (bytes / 2 ** 20).toFixed(1), heapGrowthMB: (heapGrowth / 2 ** 20).toFixed(1) });
    t.is(lines, rows + 1, 'a header and one line per message');
    t.true(chunks > 1, 'the body arrived in more than one chunk');
    // Streamed, the export holds one cursor batch at a time (about a MB here); built in memory, it holds all of it at least once.
    t.true(heapGrowth < bytes, `the heap grew by ${heapGrowth} bytes for a ${bytes}-byte export`);
  },
);

test.serial('when a payload holds commas, quotes and newlines, then its CSV field is quoted so it reads back as one field', async (t) => {
  const id = crypto.randomUUID();
  const orderId = crypto.randomUUID();
  await audit.service.db.pool.query(
    `INSERT INTO activity (event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
     VALUES ($1, 'payment.charge', 'command', $2, 'order', '2030-06-01T10:00:00.123Z', 'cause-1', NULL, $3)`,
    [id, orderId, JSON.stringify({ note: 'a, "b"\nc' })],
  );
  const res = await fetch(audit.url('/events.csv?from=2030-06-01T00:00:00Z&to=2030-06-02T00:00:00Z'), { headers: await operatorHeaders() });
  t.is(res.status, 200);
  t.is(
    await res.text(),
    `${header}\n2030-06-01T10:00:00.123Z,payment.charge,command,${orderId},order,,${id},cause-1,"{""note"": ""a, \\""b\\""\\nc""}"\n`,
  );
});

test.serial('when from and to are given, then only the messages from (inclusive) to (exclusive) are exported', async (t) => {
  await insertMessages(audit.service, 10, '2031-01-01T00:00:00Z', 10); // 00:00:01 … 00:00:10
  const exported = async (query: string) => {
    const text = await (await fetch(audit.url(`/events.csv?${query}`), { headers: await operatorHeaders() })).text();
    return text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
  };
  t.deepEqual(await exported('from=2031-01-01T00:00:03Z&to=2031-01-01T00:00:06Z'), [
    '2031-01-01T00:00:03.000Z',
    '2031-01-01T00:00:04.000Z',
    '2031-01-01T00:00:05.000Z',
  ]);
  t.deepEqual(await exported('from=2031-01-01T01:00:08%2B01:00&to=2031-01-02T00:00:00Z'), [
    '2031-01-01T00:00:08.000Z',
    '2031-01-01T00:00:09.000Z',
    '2031-01-01T00:00:10.000Z',
  ]);
  t.deepEqual(await exported('from=2031-06-01T00:00:00Z'), []);
  t.is((await exported('to=2031-01-01T00:00:03Z')).length, 5000 + 1 + 2, 'everything before, from the start of the log');
});

test.serial('when from or to is not an ISO timestamp, or to is before from, then the export is a 400 problem naming it', async (t) => {
  const cases: [string, string][] = [
    ['from=yesterday', 'from'],
    ['to=2031-13-01T00:00:00Z', 'to'],
    ['from=2031-01-01T00:00:00', 'from'],
    ['from=2031-01-02T00:00:00Z&to=2031-01-01T00:00:00Z', 'to'],
    ['since=2031-01-01T00:00:00Z', 'since'],
    ['from=2031-01-01T00:00:00Z&from=2031-01-02T00:00:00Z', 'from'],
  ];
  for (const [query, field] of cases) {
    const res = await fetch(audit.url(`/events.csv?${query}`), { headers: await operatorHeaders() });
    t.is(res.status, 400, query);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await res.json()) as { 'invalid-params': { name: string }[] };
    t.deepEqual(
      body['invalid-params'].map((p) => p.name),
      [field],
      query,
    );
  }
});

test.serial('when as many exports run as allowed, then one more is refused with a 503 problem until one of them ends', async (t) => {
  // The 5000 messages of the first test make each export far larger than the socket buffers: unread, it stays open.
  const url = audit.url('/events.csv?to=2025-01-01T00:00:00Z');
  const running = [await fetch(url, { headers: await operatorHeaders() }), await fetch(url, { headers: await operatorHeaders() })];
  t.deepEqual(
    running.map((r) => r.status),
    [200, 200],
  );
  const refused = await fetch(url, { headers: await operatorHeaders() });
  t.is(refused.status, 503);
  t.regex(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.is(refused.headers.get('retry-after'), '10');
  await running[0]!.body!.cancel();
  const next = await waitFor(
    async () => {
      const res = await fetch(url, { headers: await operatorHeaders() });
      if (res.status === 200) return res;
      await res.body?.cancel();
      return undefined;
    },
    { what: 'an export slot' },
  );
  await next.body!.cancel();
  await running[1]!.body!.cancel();
  t.pass();
});
