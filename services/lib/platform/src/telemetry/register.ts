/**
 * Tracing entry point, loaded before any application module: `node --import <this> main.js`.
 * Configured only by the standard OTEL_* variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, OTEL_SDK_DISABLED, …).
 */
import { register } from 'node:module';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_DB_QUERY_TEXT } from '@opentelemetry/semantic-conventions';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { sdkKey } from './flush.js';
import { statementForSpan } from './statement-text.js';

// Our code is ESM: import-in-the-middle lets the instrumentations patch modules that ESM imports.
const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

const sdk = new NodeSDK({
  instrumentations: [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') }),
    new KoaInstrumentation(),
    // Statement text without its literals: inlined values (envelopes, emails) never reach a span.
    new PgInstrumentation({
      requireParentSpan: true,
      requestHook: (span, { query }) => span.setAttribute(ATTR_DB_QUERY_TEXT, statementForSpan(query.text)),
    }),
  ],
});
sdk.start();
(globalThis as Record<symbol, unknown>)[sdkKey] = sdk;
await waitForAllMessagesAcknowledged();
