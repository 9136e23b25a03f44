import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

/** A deployable service package: services/<name> with a src/main.ts entry point. */
export interface ServicePackage {
  name: string;
  /** Why the package could not be imported (not linked by npm yet, or broken). */
  importError?: string;
  configSchema?: z.ZodType;
  definitionName?: string;
}

/** The service packages that exist now (shipping, customer, audit join when they are written). */
export function serviceNames(root = 'services'): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'src', 'main.ts')))
    .map((d) => d.name)
    .sort();
}

/** Imports @orderly/<name> for its configSchema and definition (by convention, from src/index.ts). */
export async function loadServices(names: string[]): Promise<Map<string, ServicePackage>> {
  const out = new Map<string, ServicePackage>();
  for (const name of names) {
    try {
      const mod = (await import(`@orderly/${name}`)) as { configSchema?: z.ZodType; definition?: { name?: string } };
      out.set(name, { name, configSchema: mod.configSchema, definitionName: mod.definition?.name });
    } catch (err) {
      out.set(name, { name, importError: (err as Error).message.split('\n')[0] });
    }
  }
  return out;
}
