import { findTextIssue } from '@orderly/events';
import type { z } from 'zod';
import { validationProblem } from './problem.js';

/**
 * Parses input with a schema or throws a 400 naming every bad field. Every string in it (keys
 * included) must be well-formed Unicode without control characters (line breaks and tabs allowed
 * in values), whatever the schema says: a lone surrogate or a NUL is refused here, as a 400, not
 * by PostgreSQL later as a 500 or by a consumer on every attempt.
 */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const text = findTextIssue(input);
  if (text) throw validationProblem([{ name: text.path, reason: text.reason }]);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationProblem(
    result.error.issues.flatMap((issue) => {
      // An unknown key is reported under its own name, not under its parent object.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => ({
        name: [...issue.path, ...(key === undefined ? [] : [key])].join('.') || '(body)',
        reason: issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message,
      }));
    }),
  );
}

/** The parsed JSON body (set by the body parser), to be checked with parseOr400. */
export function bodyOf(ctx: { request: unknown }): unknown {
  return (ctx.request as { body?: unknown }).body;
}
