import { trace } from '@opentelemetry/api';
import { type Logger, pino } from 'pino';

export type { Logger };

// Something@something.tld, wherever it appears in a string (an SMTP error quotes the recipient).
const emailPattern = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[A-Za-z]{2,}/g;
/** Keys whose values are personal data whatever they look like. */
const personalKeys = /^(email|recipient|recipients|to|cc|bcc|phone|address|password|authorization|cookie)$/i;
const censor = '[redacted]';

/**
 * A copy of a log line's fields with personal data removed: values of personal keys at any depth,
 * email addresses inside any string (error messages and stacks included), and errors turned into
 * plain objects (type, message, stack, code, cause) so their text is scrubbed too. Depth and
 * breadth are bounded: a log line never walks a huge or cyclic object.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(emailPattern, censor);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 6) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; cause?: unknown; errors?: unknown };
    return redact(
      {
        type: e.name,
        message: e.message,
        stack: e.stack,
        ...(e.code === undefined ? {} : { code: e.code }),
        ...(e.cause === undefined ? {} : { cause: e.cause }),
        ...(e.errors === undefined ? {} : { errors: e.errors }),
      },
      depth + 1,
      seen,
    );
  }
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 100)) out[k] = personalKeys.test(k) ? censor : redact(v, depth + 1, seen);
  return out;
}

/** JSON logs; a line written inside a span carries its trace and span ids so it leads to its trace. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      // Personal data never reaches the logs, whatever a caller passes (nested, or inside an error).
      log: (fields) => redact(fields) as Record<string, unknown>,
    },
    // The message string is not a field: scrub it as well.
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? (redact(a) as string) : a)) as Parameters<typeof method>);
      },
    },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
    },
  });
}
