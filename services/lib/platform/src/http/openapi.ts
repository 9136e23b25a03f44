import type Router from '@koa/router';
import { z } from 'zod';
import { openPathTest } from './auth.js';

/** What a service says about its API beyond its routes: request bodies, keyed "METHOD /path/{param}". */
export interface ApiDocs {
  title: string;
  description?: string;
  bodies?: Record<string, z.ZodType>;
}

const problem = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    'invalid-params': { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, reason: { type: 'string' } } } },
  },
};

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The service's OpenAPI 3.1 document, built from the routes it actually registers (so it cannot
 * list a route that does not exist or miss one that does) and the zod schemas it validates with.
 */
export function openApiDocument(
  service: string,
  version: string,
  routers: Router[],
  docs: ApiDocs,
  isOpen: (path: string) => boolean = openPathTest(),
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue;
      const path = toOpenApiPath(layer.path);
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
        const key = `${method} ${path}`;
        const body = docs.bodies?.[key];
        paths[path] ??= {};
        paths[path][method.toLowerCase()] = {
          operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
          // Every route but the open ones needs a bearer token (docs/security.md says who may call what).
          ...(isOpen(layer.path) ? { security: [] } : {}),
          parameters: layer.paramNames.map((p) => ({ name: String(p.name), in: 'path', required: true, schema: { type: 'string' } })),
          ...(body
            ? {
                requestBody: {
                  required: true,
                  content: { 'application/json': { schema: z.toJSONSchema(body, { unrepresentable: 'any', io: 'input' }) } },
                },
              }
            : {}),
          responses: {
            '2XX': { description: 'Success', content: { 'application/json': {} } },
            default: { description: 'Problem', content: { 'application/problem+json': { schema: problem } } },
          },
        };
      }
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: docs.title, version, description: docs.description ?? `The ${service} service of Orderly.` },
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
  };
}
