import { z } from 'zod';

/** Raised when the environment does not satisfy a service's schema; names every bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Signature algorithms a token may use: asymmetric only, so a public key can never verify an HMAC. */
export const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
const algorithmList = z
  .string()
  .transform((s) => s.split(',').map((a) => a.trim()))
  .pipe(z.array(z.enum(asymmetricAlgorithms, { message: `each must be one of ${asymmetricAlgorithms.join(', ')}` })).min(1));

/** Variables every service reads. Each service extends this with its own. */
export const baseConfigSchema = z.object({
  PORT: port,
  /** The service's own broker user and its secret, no default: a deployment that forgets it stops naming it. */
  AMQP_URL: z.url({ protocol: /^amqps?$/ }),
  /** When set, the service applies the topology's broker policies through the management API
   * (the local stack); on Kubernetes the Policy resources own them and this stays unset. */
  RABBITMQ_MANAGEMENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The service's own database role and its secret, no default (as AMQP_URL). */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  /** Connections kept open (never closed when idle): few, since two cores serve them all (decision 12). */
  DB_POOL_SIZE: positiveInt.default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The saga mode of new orders. */
  SAGA_MODE: z.enum(['choreography', 'orchestration']).default('choreography'),
  /** After SAGA_MODE changed, while sagas of the other mode are still in flight: the broker carries
   * both modes' messages so each saga finishes in the mode it started in (decision 0022). */
  SAGA_SWITCHING: z.stringbool().default(false),
  PREFETCH: positiveInt.default(32),
  /** The most messages a batching consumer handles in one transaction (queues opt in; 1 turns it off). */
  CONSUMER_BATCH_SIZE: positiveInt.default(32),
  /** How long a batch of a queue off the order's path (a service's `lingering` list) waits for more
   * messages unless full (0: none). */
  CONSUMER_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** After a broker reconnect, the outbox rows confirmed this recently are published again (a stream does not fsync before confirming); 0 turns it off. */
  OUTBOX_REPUBLISH_WINDOW_MS: z.coerce.number().int().min(0).default(30_000),
  /** Stream deliveries a reader holds at most (the broker's credit; returned by the ack after each commit). */
  STREAM_PREFETCH: positiveInt.default(500),
  /** The most stream messages a reader handles in one transaction. */
  STREAM_BATCH_SIZE: positiveInt.default(200),
  /** How long a stream reader's batch waits for more messages, unless full (0: none). Readers only
   * record, off the order's path: a tenth of a second turns hundreds of commits a second into ten. */
  STREAM_LINGER_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  RETRY_MAX_ATTEMPTS: positiveInt.default(5),
  RETRY_BASE_DELAY_MS: positiveInt.default(500),
  RETRY_MAX_DELAY_MS: positiveInt.default(10_000),
  /** How long a message waits for the one it needs (NotYetError) before it is parked as an orphan. */
  NOT_YET_MAX_WAIT_MS: positiveInt.default(600_000),
  DELIVERY_LIMIT: positiveInt.default(20),
  /** The largest message body a consumer parses (1 MiB; an event is a few hundred bytes): a larger one is
   * parked unread as "too large", and the console keeps only a preview of it (docs/security.md). */
  MESSAGE_MAX_BYTES: positiveInt.max(134_217_728).default(1_048_576),
  /** The outbox sweep's interval: it publishes rows no live writer did (an instance that stopped, a failed publish). */
  OUTBOX_POLL_MS: positiveInt.default(1_000),
  /** How long a row waits unsent before the sweep takes it (its writer publishes it at commit). */
  OUTBOX_SWEEP_AFTER_MS: positiveInt.default(5_000),
  /** How long confirmed rows wait to be marked sent together (one UPDATE for all of them). */
  OUTBOX_MARK_MS: positiveInt.default(250),
  OUTBOX_BATCH_SIZE: positiveInt.default(200),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(20_000),
  /** Attempts at the first broker connection before the service gives up and exits (then with
   * back-off and no limit once it has been connected). */
  BROKER_CONNECT_ATTEMPTS: positiveInt.default(10),
  /**
   * How long the inbox remembers a handled message (its duplicates are acknowledged without a second
   * effect meanwhile). Far longer than any redelivery: a delivery ends after DELIVERY_LIMIT tries
   * and a retry after RETRY_MAX_ATTEMPTS back-offs of at most RETRY_MAX_DELAY_MS (docs/security.md).
   */
  INBOX_RETENTION_HOURS: positiveInt.max(87_600).default(168),
  /** How often partitions are made ahead and dropped past their retention, and rows outside them (idempotency keys) pruned. */
  PRUNE_EVERY_MS: positiveInt.min(100).default(600_000),
  /** Apply the migrations and exit: what the release's migration Job runs beside a rollout. */
  MIGRATE_ONLY: z.stringbool().default(false),
  /** Declare the topology on connect (local stack, tests). On Kubernetes the Messaging Topology
   * Operator owns it: false only checks that it exists, so the service needs no configure permission. */
  BROKER_DECLARE_TOPOLOGY: z.stringbool().default(true),
  /** The console's broker user (orderly-console): its redriven copies, arriving through a queue's
   * retry exchange, start again at attempt 1 with their original publisher (decision 0011). No
   * default: unset, no redrive is trusted and a redriven copy is treated as any other message. */
  BROKER_REDRIVE_USER: z.string().min(1).max(200).optional(),
  /** The OpenID Connect issuer whose access tokens the API accepts: the token's `iss`, exactly. */
  AUTH_ISSUER: z.url({ protocol: /^https?$/ }),
  /** The API's identifier at the issuer: a token's `aud` must contain it. */
  AUTH_AUDIENCE: z.string().min(1),
  /** Where the issuer publishes its signing keys (the `jwks_uri` of its discovery document). */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }),
  /** Comma-separated signature algorithms accepted (asymmetric only). */
  AUTH_ALGORITHMS: algorithmList.default(['RS256', 'PS256', 'ES256', 'EdDSA']),
  /** Leeway for exp and nbf against clock drift between the issuer and the service. */
  AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(300).default(30),
  /** The claim that lists the caller's roles: a name, or a dot path for nested claims (Keycloak: realm_access.roles). */
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** The role in the roles claim that makes the caller an operator. */
  AUTH_OPERATOR_ROLE: z.string().min(1).default('orderly-operator'),
  /** A scope that also makes the caller an operator: unset (the default), none does. Set it only where an
   * administrator grants that scope (any user may request any scope on most providers). */
  AUTH_OPERATOR_SCOPE: z.string().min(1).optional(),
  /** How long a client may take to send a request's headers (Node's headersTimeout): a client
   * that dribbles them is answered 408 and disconnected, not kept for Node's 60 s. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(10_000),
  /** How long a client may take to send a whole request, headers and body (Node's requestTimeout,
   * 300 s by default): a slow-body client is answered 408 and disconnected. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  /** A /metrics answer is rendered at most once per this long; scrapes meanwhile, and concurrent
   * ones, share it (an anonymous flood costs one render per interval, not one per request). */
  METRICS_MAX_AGE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
});
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Parses the environment once; the result is frozen and passed down, never re-read. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): Readonly<z.infer<S>> {
  // An empty (or blank) variable means "not set", as it does for most tools that read the environment.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return Object.freeze(result.data);
}
