import { z } from 'zod';
import { problemTypes } from './problem.js';

/** One response of an operation: JSON with a schema, or another media type (a CSV, a page). */
export interface ResponseDoc {
  description: string;
  /** The body's schema (of what the handler returns, io 'output'); with `type`, none is given. */
  schema?: z.ZodType;
  /** Media types other than JSON, e.g. ['text/csv; charset=utf-8']: the body is not described. */
  types?: string[];
  /** Response headers, name → what it says. */
  headers?: Record<string, string>;
}

export interface HeaderDoc {
  description: string;
  schema: z.ZodType;
  required?: boolean;
}

/** What an operation takes and returns, beyond what its route says (method, path, path parameters). */
export interface OperationDoc {
  summary: string;
  description?: string;
  /** The query's schema, an object: each property is a query parameter. */
  query?: z.ZodType;
  headers?: Record<string, HeaderDoc>;
  /** The JSON body; or, where callers send different ones, one per kind of caller ({ customer, operator }). */
  body?: z.ZodType | { variants: Record<string, z.ZodType> };
  /** Success responses by status ('200', '202', '302'). */
  responses: Record<string, ResponseDoc>;
  /** Problem statuses beyond the usual ones (400, 401, 403, 404, 413, 415, 5XX follow from the route), e.g. { 409: 'state-conflict' }. */
  problems?: Record<number, string>;
}

/** What a service says about its API beyond its routes, operations keyed "METHOD /path/{param}". */
export interface ApiDocs {
  title: string;
  description?: string;
  operations?: Record<string, OperationDoc>;
}

/** The problem+json schema (RFC 9457): about:blank, or one of the problem types with its extension members. */
export const problemSchema = {
  type: 'object',
  description: `RFC 9457 problem details. type is about:blank (title = the status phrase) or one of ${Object.keys(problemTypes)
    .map((t) => `/problems/${t}`)
    .join(', ')}.`,
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    'invalid-params': {
      description: 'With the validation type only: each invalid parameter or field and why.',
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'reason'],
        properties: { name: { type: 'string' }, reason: { type: 'string' } },
        additionalProperties: false,
      },
    },
    status_of_order: { description: 'With the state-conflict type on an order: its status.', type: 'string' },
  },
  additionalProperties: false,
};

const text = (description: string, ...types: string[]): ResponseDoc => ({ description, types });

/** The routes every service serves (probes, metrics, its documents). */
export const platformOperations: Record<string, OperationDoc> = {
  'GET /healthz': {
    summary: 'Liveness: the process answers',
    responses: { 200: { description: 'Alive, with what runs', schema: z.looseObject({ status: z.literal('ok') }) } },
  },
  'GET /readyz': {
    summary: 'Readiness: connected and not draining',
    responses: {
      200: { description: 'Ready', schema: z.strictObject({ ready: z.literal(true) }) },
      503: { description: 'Not ready (starting or draining)', schema: z.strictObject({ ready: z.literal(false) }) },
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    description: 'The text exposition format, or OpenMetrics when the Accept header asks for it.',
    responses: {
      200: text('Metrics', 'text/plain; version=0.0.4; charset=utf-8', 'application/openmetrics-text; version=1.0.0; charset=utf-8'),
    },
  },
  'GET /openapi.json': {
    summary: 'This OpenAPI document',
    responses: { 200: { description: 'The document', types: ['application/json'] } },
  },
  'GET /docs': { summary: 'The API reference as a page (Swagger UI)', responses: { 200: text('The page', 'text/html; charset=utf-8') } },
  'GET /docs/swagger-init.js': {
    summary: "The reference page's start-up script",
    responses: { 200: text('The script', 'application/javascript; charset=utf-8') },
  },
  'GET /docs/{asset}': {
    summary: "The reference page's assets (Swagger UI)",
    responses: { 200: text('The asset', 'text/css; charset=utf-8', 'application/javascript; charset=utf-8') },
  },
  'GET /asyncapi.json': {
    summary: 'The AsyncAPI 3.0 document of the messages, in this saga mode',
    responses: { 200: { description: 'The document', types: ['application/json'] } },
  },
  'GET /asyncapi.html': {
    summary: 'The messages as a page',
    responses: { 200: text('The page', 'text/html; charset=utf-8') },
  },
  'GET /problems/{type}': {
    summary: 'What a problem type means',
    responses: { 200: text('A page describing the problem type', 'text/html; charset=utf-8') },
  },
};
