import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;
interface MediaDoc {
  schema?: Schema;
}
interface ResponseDoc {
  content?: Record<string, MediaDoc>;
}
interface OperationDoc {
  responses: Record<string, ResponseDoc>;
  'x-undocumented'?: boolean;
}
interface Document {
  paths: Record<string, Record<string, OperationDoc>>;
  components?: { schemas?: Record<string, Schema> };
}

const baseType = (type: string) => type.split(';')[0]!.trim().toLowerCase();

/**
 * Checks every response a test receives against the OpenAPI document of the service that sent it
 * (its /openapi.json, fetched once): a path, method, status, media type or body field the document
 * does not describe throws, so the test fails. Tools that integrate with Orderly generate clients
 * from these documents; this is what keeps them true.
 */
export class ContractCheck {
  readonly #documents = new Map<string, Promise<Document>>();
  readonly #validators = new Map<Schema, ValidateFunction>();
  readonly #ajv = (() => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    return ajv;
  })();

  async check(url: string, method: string, res: { status: number; headers: Headers }, text: string): Promise<void> {
    const { origin, pathname } = new URL(url);
    if (pathname === '/openapi.json') return;
    const doc = await this.#document(origin);
    const where = `${method} ${pathname} → ${res.status}`;
    const path = matchPath(Object.keys(doc.paths), pathname);
    if (!path) {
      // No route there: the answer is the 404 problem every unknown path gets.
      if (res.status === 404 && baseType(res.headers.get('content-type') ?? '') === 'application/problem+json') return;
      throw new Error(`contract: ${where}: the path is not in ${origin}/openapi.json`);
    }
    const op = doc.paths[path]![method.toLowerCase()];
    if (!op) {
      // A method the path does not have: the 405 (with Allow) is the documented answer.
      if (res.status === 405 && res.headers.get('allow')) return;
      throw new Error(`contract: ${where}: ${method} is not documented for ${path}`);
    }
    if (op['x-undocumented']) throw new Error(`contract: ${where}: the operation has no description of its responses`);
    const status = String(res.status);
    const response = op.responses[status] ?? op.responses[`${status[0]}XX`];
    if (!response) throw new Error(`contract: ${where}: status ${status} is not documented (${Object.keys(op.responses).join(', ')})`);
    if (text === '' && !res.headers.get('content-type')) {
      if (response.content && Object.keys(response.content).length > 0) throw new Error(`contract: ${where}: the document promises a body`);
      return;
    }
    const type = baseType(res.headers.get('content-type') ?? '');
    const media = Object.entries(response.content ?? {}).find(([t]) => baseType(t) === type || t === '*/*')?.[1];
    if (!media)
      throw new Error(`contract: ${where}: media type ${type} is not documented (${Object.keys(response.content ?? {}).join(', ')})`);
    if (!media.schema) return;
    const validate = this.#validator(this.#resolve(doc, media.schema));
    if (!validate(JSON.parse(text))) {
      throw new Error(
        `contract: ${where}: the body does not match the document: ${describe(validate.errors ?? [])}\n${text.slice(0, 500)}`,
      );
    }
  }

  /** fetch(), with the answer checked before it is returned (its body read once and handed back intact). */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, init);
    const text = await res.text();
    await this.check(res.url || url, init.method ?? 'GET', res, text);
    return new Response(text === '' ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /** Fetches a service's document and compiles its schemas now, so the first checked call costs no more than the next. */
  async warm(origin: string): Promise<void> {
    const doc = await this.#document(origin);
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops))
        for (const r of Object.values(op.responses ?? {}))
          for (const m of Object.values(r.content ?? {})) if (m.schema) this.#validator(this.#resolve(doc, m.schema));
  }

  #document(origin: string): Promise<Document> {
    let doc = this.#documents.get(origin);
    if (!doc) {
      doc = fetch(`${origin}/openapi.json`).then((r) => r.json() as Promise<Document>);
      this.#documents.set(origin, doc);
    }
    return doc;
  }

  #resolve(doc: Document, schema: Schema): Schema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace('#/components/schemas/', '');
    const found = doc.components?.schemas?.[name];
    if (!found) throw new Error(`contract: ${ref} is not in the document`);
    return found;
  }

  #validator(schema: Schema): ValidateFunction {
    let v = this.#validators.get(schema);
    if (!v) {
      v = this.#ajv.compile(schema);
      this.#validators.set(schema, v);
    }
    return v;
  }
}

/** ajv's findings, each with where it is and, for a field the document does not have, its name. */
function describe(errors: ErrorObject[]): string {
  return errors
    .map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return `${e.instancePath || 'the body'} ${e.message}${extra === undefined ? '' : `: ${extra}`}`;
    })
    .join('; ');
}

/** The document's path template for a request path: a literal segment wins over a parameter. */
export function matchPath(templates: string[], path: string): string | undefined {
  const segments = path.split('/');
  let best: { template: string; params: number } | undefined;
  for (const template of templates) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const fits = parts.every((p, i) => (p.startsWith('{') && p.endsWith('}') ? segments[i] !== '' : p === segments[i]));
    const params = parts.filter((p) => p.startsWith('{')).length;
    if (fits && (!best || params < best.params)) best = { template, params };
  }
  return best?.template;
}
