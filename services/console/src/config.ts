import { consolePort } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';
import { authConfigShape } from './auth/config.js';

const positiveInt = z.coerce.number().int().positive();

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(consolePort),
  /** The console declares nothing: it uses the pipeline's queues, which the services (locally, in
   * tests) or the Topology Operator (Kubernetes) declare; its broker user may not configure. */
  BROKER_DECLARE_TOPOLOGY: baseConfigSchema.shape.BROKER_DECLARE_TOPOLOGY.unwrap().default(false),
  /** The sign-in (CONSOLE_PUBLIC_URL, CONSOLE_SESSION_SECRET, the OpenID Connect client). */
  ...authConfigShape,
  /** Where each service's API answers; `{service}` and `{port}` are replaced (chart: http://<release>-{service}:{port}). */
  SERVICE_URL_TEMPLATE: z
    .string()
    .refine(
      (t) => URL.canParse(t.replaceAll('{service}', 'order').replaceAll('{port}', '8080')),
      'must be a URL once {service} and {port} are filled in',
    )
    .default('http://127.0.0.1:{port}'),
  /** A Prometheus the pages link to for graphs (optional). */
  PROMETHEUS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** A tracing UI's page of one trace, `{traceId}` replaced (optional). */
  TRACE_URL_TEMPLATE: z
    .string()
    .refine((t) => t.includes('{traceId}') && URL.canParse(t.replaceAll('{traceId}', '0')), 'must be a URL containing {traceId}')
    .optional(),
  /** An order not terminal and not updated for this long is stuck. */
  STUCK_AFTER_S: positiveInt.default(300),
  /** Redriven messages published per second at most, over all redrives of this console at once. */
  REDRIVE_RATE_PER_S: positiveInt.max(10_000).default(50),
  /** A redrive left half-done (recorded, not confirmed by the broker: a crash, a refused publish) is
   * sent again once it is this old; the consumer's inbox absorbs a copy that had gone out. */
  REDRIVE_RESUME_AFTER_S: positiveInt.max(3_600).default(30),
  /** Parked messages the keeper takes from the DLQs at a time (unacknowledged until recorded). */
  DEAD_LETTER_PREFETCH: positiveInt.max(1_000).default(50),
  /** How long a redriven or discarded message's row is kept (parked ones are kept until acted on). */
  DEAD_LETTER_RETENTION_HOURS: positiveInt.max(87_600).default(720),
});
export type Config = z.infer<typeof configSchema>;
