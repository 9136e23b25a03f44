import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('orderly-notification');

/**
 * Runs one email's send in a CLIENT span continuing the trace that composed it (stored with the
 * row), so the email stays in its order's trace and the sender's log lines carry that trace id.
 */
export function inEmailSpan(traceContext: Record<string, string> | null, fn: () => Promise<void>): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, traceContext ?? {});
  return tracer.startActiveSpan(
    'send email',
    { kind: SpanKind.CLIENT, attributes: { 'orderly.email.transport': 'smtp' } },
    parent,
    async (span) => {
      try {
        await fn();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { code?: string }).code ?? 'send failed' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
