import type Router from '@koa/router';
import { licence } from '@orderly/events';
import { z } from 'zod';
import { type ApiDocs, type OperationDoc, platformOperations, problemSchema, type ResponseDoc } from './api-docs.js';
import { openPathTest } from './auth.js';

export type { ApiDocs, OperationDoc, ResponseDoc } from './api-docs.js';

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io }) as Record<string, unknown>;
  return rest;
};
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const usualProblems: Record<string, string> = {
  400: 'Invalid parameters, headers or body (the validation problem type)',
  401: 'No valid bearer token',
  403: 'The token does not allow this',
  404: 'Not found',
  413: 'The body is too large',
  415: 'The body is not JSON',
  '5XX': 'The service failed or could not reach what it needs',
};

function response(doc: ResponseDoc) {
  const headers = doc.headers
    ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) }
    : {};
  if (doc.types) return { description: doc.description, ...headers, content: Object.fromEntries(doc.types.map((t) => [t, {}])) };
  if (!doc.schema) return { description: doc.description, ...headers };
  return { description: doc.description, ...headers, content: { 'application/json': { schema: jsonSchema(doc.schema, 'output') } } };
}

function queryParameters(query: z.ZodType | undefined) {
  if (!query) return [];
  type Props = { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const top = jsonSchema(query, 'input') as Props & { anyOf?: Props[] };
  // A union (one query per kind of caller): every parameter of each, required only where all require it.
  const variants = top.anyOf ?? [top];
  const properties = Object.assign({}, ...variants.map((v) => v.properties ?? {})) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: variants.every((v) => v.required?.includes(name)),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function requestBody(body: OperationDoc['body']) {
  if (!body) return {};
  const schema =
    body instanceof z.ZodType
      ? jsonSchema(body, 'input')
      : { oneOf: Object.entries(body.variants).map(([who, s]) => ({ title: who, ...jsonSchema(s, 'input') })) };
  return { requestBody: { required: true, content: { 'application/json': { schema } } } };
}

/** An operation whose route has no OperationDoc: marked, so the contract test can name it. */
const undocumented = (key: string): OperationDoc => ({
  summary: key,
  responses: { '2XX': { description: 'Undocumented', types: ['*/*'] } },
});

/**
 * The service's OpenAPI 3.1 document, built from the routes it actually registers (so it cannot
 * list a route that does not exist or miss one that does) and the zod schemas it validates its
 * input with and describes its output by.
 */
export function openApiDocument(
  service: string,
  version: string,
  routers: Router[],
  docs: ApiDocs,
  isOpen: (path: string) => boolean = openPathTest(),
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const operations = { ...platformOperations, ...docs.operations };
  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string' || layer.methods.length === 0) continue;
      const path = toOpenApiPath(layer.path);
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
        const key = `${method} ${path}`;
        const op = operations[key] ?? undocumented(key);
        const open = isOpen(layer.path);
        const pathParams = layer.paramNames.map((p) => ({ name: String(p.name), in: 'path', required: true, schema: { type: 'string' } }));
        const headers = Object.entries(op.headers ?? {}).map(([name, h]) => ({
          name,
          in: 'header',
          required: h.required ?? false,
          description: h.description,
          schema: jsonSchema(h.schema, 'input'),
        }));
        const parameters = [...pathParams, ...queryParameters(op.query), ...headers];
        const problems: Record<string, string> = {
          ...(parameters.length > 0 || op.body ? { 400: usualProblems[400]! } : {}),
          ...(open ? {} : { 401: usualProblems[401]!, 403: usualProblems[403]! }),
          ...(pathParams.length > 0 ? { 404: usualProblems[404]! } : {}),
          ...(op.body ? { 413: usualProblems[413]!, 415: usualProblems[415]! } : {}),
          ...op.problems,
          '5XX': usualProblems['5XX']!,
        };
        paths[path] ??= {};
        paths[path][method.toLowerCase()] = {
          operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
          summary: op.summary,
          ...(op.description ? { description: op.description } : {}),
          tags: [key in platformOperations ? 'platform' : service],
          ...(operations[key] ? {} : { 'x-undocumented': true }),
          // Every route but the open ones needs a bearer token (docs/security.md says who may call what).
          ...(open ? { security: [] } : {}),
          ...(parameters.length > 0 ? { parameters } : {}),
          ...requestBody(op.body),
          responses: {
            ...Object.fromEntries(Object.entries(op.responses).map(([status, r]) => [status, response(r)])),
            ...Object.fromEntries(Object.entries(problems).map(([status, d]) => [status, problem(d)])),
            // Node's HTTP parser answers this before any route, bodiless, whatever the path.
            431: { description: 'Request header fields too large (answered by Node before any route, without a body)' },
          },
        };
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: docs.title,
      version,
      description: docs.description ?? `The ${service} service of Orderly.`,
      license: { name: licence.name, identifier: licence.spdx },
    },
    servers: [{ url: '/', description: 'The host that serves this document' }],
    tags: [
      { name: service, description: docs.description ?? `The ${service} service's API` },
      { name: 'platform', description: 'What every Orderly service serves: probes, metrics and its API documents' },
    ],
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
  };
}
