import test from 'ava';
import { oneLine, type StatementRow, topStatements } from '../pg-statements.ts';

const row = (queryid: string, calls: number, totalMs: number, query = `SELECT ${queryid}`): StatementRow => ({
  queryid,
  query,
  calls,
  totalMs,
});

test('when a query spans lines, then it is shown on one line and cut with an ellipsis', (t) => {
  t.is(oneLine('SELECT *\n    FROM  outbox\n\tWHERE id = $1'), 'SELECT * FROM outbox WHERE id = $1');
  const long = oneLine(`INSERT INTO outbox (${'x, '.repeat(60)}y) VALUES ($1)`);
  t.is(long.length, 90);
  t.true(long.endsWith('…'));
});

test('when statistics were reset, then the top statements are sorted by total time with per-order calls and shares', (t) => {
  const r = topStatements([], [row('a', 100, 50), row('b', 300, 150), row('c', 10, 0)], 100, 2);
  t.is(r.statements, 3);
  t.is(r.totalExecSec, 0.2);
  t.deepEqual(
    r.top.map((s) => [s.query, s.calls, s.callsPerOrder, s.meanMs, s.totalSec, s.share]),
    [
      ['SELECT b', 300, 3, 0.5, 0.15, 0.75],
      ['SELECT a', 100, 1, 0.5, 0.05, 0.25],
    ],
  );
});

test('when a baseline was taken instead of a reset, then the run counts only what happened after it', (t) => {
  const r = topStatements([row('a', 40, 20), row('idle', 5, 1)], [row('a', 140, 70), row('idle', 5, 1), row('new', 2, 10)], 50);
  t.is(r.statements, 2);
  t.deepEqual(
    r.top.map((s) => [s.query, s.calls, s.totalSec]),
    [
      ['SELECT a', 100, 0.05],
      ['SELECT new', 2, 0.01],
    ],
  );
  t.is(r.top[0]?.callsPerOrder, 2);
});

test('when an entry was evicted and came back with fewer calls, then it is counted whole, and no orders do not divide by zero', (t) => {
  const r = topStatements([row('a', 500, 100)], [row('a', 3, 6)], 0);
  t.is(r.top[0]?.calls, 3);
  t.is(r.top[0]?.callsPerOrder, 3);
});
