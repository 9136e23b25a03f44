import { type ServiceName, servicePorts } from '@orderly/events';
import type { z } from 'zod';

/** Where a service's HTTP API answers (from SERVICE_URL_TEMPLATE). */
export type BaseUrlOf = (service: ServiceName) => string;

export const pipelineServices = Object.keys(servicePorts) as ServiceName[];

/** `http://127.0.0.1:{port}` or `http://<release>-{service}:{port}` → each service's base URL. */
export function baseUrlsFrom(template: string, ports: Record<ServiceName, number> = servicePorts): BaseUrlOf {
  return (service) => template.replaceAll('{service}', service).replaceAll('{port}', String(ports[service])).replace(/\/$/, '');
}

/** What a service answered, or why nothing usable came back. */
export type Answer<T> = { ok: true; status: number; body: T; headers: Headers } | { ok: false; status: number; error: string };

/**
 * Calls the services' operator APIs with the signed-in operator's own access token, so each
 * service decides, as for any caller, what they may see. A slow or absent service is an answer
 * (status 0 or 5xx with a short reason) for the page to show, never a hang.
 */
export class ServicesClient {
  constructor(
    private readonly baseUrlOf: BaseUrlOf,
    private readonly timeoutMs = 5_000,
  ) {}

  /** GETs `path` of `service` and reads the answer through `schema`: fields it does not name are dropped; a body it refuses is no answer. */
  async get<S extends z.ZodType>(service: ServiceName, path: string, token: string, schema: S): Promise<Answer<z.output<S>>> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrlOf(service)}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return { ok: false, status: 0, error: `${service} ${timedOut ? 'did not answer in time' : 'cannot be reached'}` };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return { ok: false, status: res.status, error: `${service} answered HTTP ${res.status} without JSON` };
    }
    if (res.ok) {
      const read = schema.safeParse(body);
      if (read.success) return { ok: true, status: res.status, body: read.data, headers: res.headers };
      const issue = read.error.issues[0];
      return {
        ok: false,
        status: 502,
        error: `${service} answered a body the console does not understand (${issue?.path.join('.')}: ${issue?.message})`,
      };
    }
    const detail = (body as { detail?: string; title?: string } | undefined)?.detail ?? (body as { title?: string } | undefined)?.title;
    return { ok: false, status: res.status, error: `${service}: HTTP ${res.status}${detail ? ` ${detail}` : ''}` };
  }
}

/** The cursor of the next page, from a list's `Link: </orders?…&cursor=…>; rel="next"` header. */
export function nextCursor(headers: Headers): string | undefined {
  const link = /<([^>]+)>\s*;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1];
  return link ? (new URL(link, 'http://x').searchParams.get('cursor') ?? undefined) : undefined;
}
