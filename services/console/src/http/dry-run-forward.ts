import { consumerQueues, orderlyHeaders, type SagaMode, type ServiceName } from '@orderly/events';
import { HttpProblem, stateConflict } from '@orderly/platform';
import { bodyText } from '../domain/redrive.js';
import type { DeadLetterDetail } from '../store/dead-letters-store.js';

/** The service whose consumer takes a queue, in this mode or else the other one. */
export function ownerOf(queue: string, mode: SagaMode): ServiceName | undefined {
  const other: SagaMode = mode === 'choreography' ? 'orchestration' : 'choreography';
  const found = consumerQueues(mode).find((q) => q.queue === queue) ?? consumerQueues(other).find((q) => q.queue === queue);
  return found?.service as ServiceName | undefined;
}

/**
 * Asks the owning service what the parked message would do now (its POST /admin/dry-run), with
 * the operator's own token, so the service decides as for any caller. Its answer, a refusal (4xx)
 * included, is passed on; a service that cannot be reached or fails is a 502.
 */
export async function forwardDryRun(
  row: DeadLetterDetail,
  {
    baseUrlOf,
    mode,
    token,
    timeoutMs = 10_000,
  }: { baseUrlOf: (service: ServiceName) => string; mode: SagaMode; token: string; timeoutMs?: number },
): Promise<{ status: number; body: unknown }> {
  const owner = ownerOf(row.queue, mode);
  if (!owner) throw stateConflict('No owner', `no service consumes ${row.queue}`);
  const { body, encoding } = bodyText(row.body);
  let res: Response;
  try {
    res = await fetch(`${baseUrlOf(owner)}/admin/dry-run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ queue: row.queue, body, encoding, headers: { [orderlyHeaders.publishedBy]: row.publishedBy ?? '' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new HttpProblem(502, 'Owner unavailable', `${owner} cannot be reached for a dry run`, {}, { cause: err });
  }
  const answer: unknown = await res.json().catch(() => undefined);
  if (res.status >= 500 || answer === undefined)
    throw new HttpProblem(502, 'Owner failed', `${owner} answered the dry run with HTTP ${res.status}`);
  return { status: res.status, body: answer };
}
