import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { buildTopologyFile, topologyFilePath } from './topology-file.js';

/** Paths where two JSON values differ (compared by value: formatting does not matter). */
export function jsonDiff(expected: unknown, actual: unknown, path = '$'): string[] {
  if (isDeepStrictEqual(expected, actual)) return [];
  const bothObjects = typeof expected === 'object' && typeof actual === 'object' && expected !== null && actual !== null;
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) {
    return [`${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...keys].flatMap((k) =>
    jsonDiff(
      (expected as Record<string, unknown>)[k],
      (actual as Record<string, unknown>)[k],
      Array.isArray(expected) ? `${path}[${k}]` : `${path}.${k}`,
    ),
  );
}

/** Differences between the committed chart file and what the code's topology() produces now. */
export async function topologyDrift(file = topologyFilePath, expected: unknown = buildTopologyFile()): Promise<string[]> {
  let committed: unknown;
  try {
    committed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return [`${file}: ${(err as Error).message}`];
  }
  return jsonDiff(expected, committed);
}
