/**
 * Tracing entry point, loaded before any application module: `node --import <this> main.js`.
 * Configured by the standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, OTEL_SDK_DISABLED, …) and one of ours,
 * ORDERLY_TRACE_STATEMENTS (docs/observability.md#traces).
 */
import { register } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { z } from 'zod';
import { sdkKey } from './flush.js';
import { nameStatementSpan } from './statement-spans.js';
import { tallyStatements } from './statement-tally.js';

const options = z
  .object({
    // A span per SQL statement: off by default (the statement count and database time are on the
    // handler's span); on to see each statement of a trace while investigating.
    ORDERLY_TRACE_STATEMENTS: z.enum(['true', 'false']).default('false'),
  })
  .parse(process.env);
const statementSpans = options.ORDERLY_TRACE_STATEMENTS === 'true';

// Our code is ESM: import-in-the-middle lets the instrumentations patch modules that ESM imports.
const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

const sdk = new NodeSDK({
  instrumentations: [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') }),
    new KoaInstrumentation(),
    // fetch: the console's calls to the services, a CLIENT span each with traceparent sent along.
    new UndiciInstrumentation(),
    ...(statementSpans
      ? [new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true, requestHook: nameStatementSpan })]
      : []),
  ],
});
sdk.start();
(globalThis as Record<symbol, unknown>)[sdkKey] = sdk;
await waitForAllMessagesAcknowledged();
// After the SDK: with statement spans on, the count lands on the handler's span, not the statement's.
tallyStatements((await import('pg')).default.Client);
