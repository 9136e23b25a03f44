import { operatorHeaders, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { startAudit } from './helpers.js';

/**
 * The activity-log CSV holds fields that came off the broker. A cell that
 * starts with = + - @, a tab or a carriage return is a formula to a spreadsheet: it is exported
 * with a leading apostrophe. A reader that does not finish within EXPORT_TIME_LIMIT_MS is cut off,
 * giving back its database connection (and the snapshot its cursor holds).
 */
const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

const formulas = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '\t=1+1', '\r=1+1'];

test('when logged fields start with = + - @ tab or CR, then each exported cell starts with an apostrophe', async (t) => {
  const audit = await startAudit('csv_formulas', cleanups);
  for (const [i, f] of formulas.entries()) {
    await audit.service.db.pool.query(
      `INSERT INTO activity (event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
       VALUES (gen_random_uuid(), $1, 'event', $1, $1, '2031-01-01T00:00:00Z'::timestamptz + $2 * interval '1 second', NULL, NULL, '{}')`,
      [f, i],
    );
  }
  const res = await fetch(audit.url('/events.csv?from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z'), { headers: await operatorHeaders() });
  t.is(res.status, 200);
  const text = await res.text();
  for (const f of formulas) {
    t.true(text.includes(`'${f.replace(/"/g, '""')}`), `${JSON.stringify(f)} escaped`);
    // No cell (after a separator, quoted or not) begins with the formula itself.
    for (const start of [',', ',"', '\n', '\n"'])
      t.false(text.includes(`${start}${f.replace(/"/g, '""')}`), `${JSON.stringify(f)} never bare`);
  }
  t.is(
    text
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('2031-')).length,
    formulas.length,
  );
});

test('when a reader is slower than EXPORT_TIME_LIMIT_MS, then the export is cut off and its connection released', async (t) => {
  // 2 s: long enough that a busy machine still sends the first rows before the limit.
  const audit = await startAudit('csv_time_limit', cleanups, { EXPORT_TIME_LIMIT_MS: '2000', EXPORT_BATCH_ROWS: '100' });
  // About 20 MB: far more than the socket buffers hold, so the server must wait for the reader.
  await audit.service.db.pool.query(
    `INSERT INTO activity (event_id, type, kind, order_id, source, time, causation_id, trace_id, payload)
     SELECT gen_random_uuid(), 'order.placed', 'event', gen_random_uuid()::text, 'order', '2032-01-01T00:00:00Z'::timestamptz + i * interval '1 second',
            NULL, md5(i::text), jsonb_build_object('n', i, 'pad', repeat('x', 400))
       FROM generate_series(1, 40000) AS i`,
  );
  const res = await fetch(audit.url('/events.csv?from=2032-01-01T00:00:00Z'), { headers: await operatorHeaders() });
  t.is(res.status, 200);
  const reader = res.body!.getReader();
  let bytes = (await reader.read()).value?.length ?? 0;
  // The slow reader: nothing read for well over the limit.
  await new Promise((r) => setTimeout(r, 5_000));
  const started = Date.now();
  const outcome = await (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'ended';
        bytes += value.length;
      }
    } catch (err) {
      return `aborted: ${(err as Error).message}`;
    }
  })();
  t.log(`${outcome} after ${bytes} bytes, ${Date.now() - started} ms after the reader resumed`);
  t.true(bytes < 15_000_000, `cut off: ${bytes} of about 20 MB`);
  // The cursor's connection is back: no query of the export is still running.
  await waitFor(async () => {
    const { rows } = await audit.service.db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%FROM activity%ORDER BY time%' AND state <> 'idle' AND pid <> pg_backend_pid()`,
    );
    return rows[0].n === 0 ? true : undefined;
  });
  t.pass();
});
