import { type Span, trace } from '@opentelemetry/api';

/**
 * Database time and statement count on the span that ran the statements (a message's process
 * span, an HTTP route's span), instead of a span per statement: at a hundred orders a second a
 * span per statement was most of what the tracer made and exported. `orderly.db.duration` is the
 * wall time with at least one statement outstanding (pipelined statements overlap, so it is not
 * the sum of their latencies); pg_stat_statements has the per-statement detail.
 */
export const statementCountAttribute = 'orderly.db.statement_count';
export const databaseTimeAttribute = 'orderly.db.duration';

interface Tally {
  count: number;
  outstanding: number;
  since: number;
  busyMs: number;
}
const tallies = new WeakMap<Span, Tally>();

/** Called as a statement is sent: returns what to call once its result (or error) is in. */
function started(): (() => void) | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const t = tallies.get(span) ?? { count: 0, outstanding: 0, since: 0, busyMs: 0 };
  tallies.set(span, t);
  t.count += 1;
  if (t.outstanding++ === 0) t.since = performance.now();
  return () => {
    if (--t.outstanding === 0) t.busyMs += performance.now() - t.since;
    span.setAttribute(statementCountAttribute, t.count);
    span.setAttribute(databaseTimeAttribute, t.busyMs / 1000);
  };
}

type QueryFn = (this: unknown, config: unknown, values?: unknown, callback?: unknown) => unknown;
type Submittable = { submit: unknown; once(event: string, listener: () => void): unknown };

/**
 * Wraps node-postgres' `Client.prototype.query`, the one call every statement goes through (pools
 * call it too). Each of its three forms is kept: a submittable, a callback, a promise.
 */
export function tallyStatements(client: { prototype: { query: QueryFn } }): void {
  const original = client.prototype.query;
  client.prototype.query = function query(this: unknown, config: unknown, values?: unknown, callback?: unknown) {
    const done = started();
    if (!done) return original.call(this, config, values, callback);
    const once = () => done();
    if (config && typeof (config as Submittable).submit === 'function') {
      const submittable = config as Submittable;
      submittable.once('end', once);
      submittable.once('error', once);
      return original.call(this, config, values, callback);
    }
    if (typeof values === 'function' || typeof callback === 'function') {
      const cb = (typeof values === 'function' ? values : callback) as (...args: unknown[]) => void;
      const wrapped = (...args: unknown[]) => {
        once();
        cb(...args);
      };
      return typeof values === 'function' ? original.call(this, config, wrapped) : original.call(this, config, values, wrapped);
    }
    const result = original.call(this, config, values, callback) as Promise<unknown>;
    result.then(once, once);
    return result;
  };
}
