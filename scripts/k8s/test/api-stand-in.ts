import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { helmBinary, helmTemplate, namespace } from '../helm.js';
import type { Manifest } from '../manifest.js';

/**
 * A stand-in for the Kubernetes API, just enough for `helm upgrade --install` (helm 3.10) to run
 * against it: discovery of the kinds it is told about, and objects stored as sent — create, get,
 * list by label, replace, merge-patch, delete. No admission, no controllers, no validation: it
 * exists so that Helm's `lookup` (which `helm template` never runs) can be exercised, i.e. what a
 * release reads back from the cluster on upgrade. It is not a cluster, and nothing else may be
 * concluded from a run against it.
 */
type Obj = Manifest & { metadata: { resourceVersion?: string }; data?: Record<string, string>; stringData?: Record<string, string> };
interface Resource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const plural = (kind: string) => (kind.endsWith('y') ? `${kind.slice(0, -1).toLowerCase()}ies` : `${kind.toLowerCase()}s`);
const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export class ApiStandIn {
  readonly objects = new Map<string, Obj>();
  /** Every object created, in the order the requests arrived ("Kind name"). */
  readonly created: string[] = [];
  private readonly resources: Resource[];
  private server?: Server;
  private version = 1;

  constructor(kinds: { apiVersion: string; kind: string }[]) {
    const unique = new Map(kinds.map((k) => [`${k.apiVersion} ${k.kind}`, k]));
    unique.set('v1 Secret', { apiVersion: 'v1', kind: 'Secret' });
    this.resources = [...unique.values()].map(({ apiVersion, kind }) => {
      const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
      return { group, version, kind, plural: plural(kind), namespaced: kind !== 'Namespace' };
    });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A stored object, as a client would read it. */
  get(kind: string, name: string): Obj | undefined {
    return [...this.objects.values()].find((o) => o.kind === kind && o.metadata.name === name);
  }

  private send(res: ServerResponse, code: number, body: unknown) {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private notFound(res: ServerResponse, what: string) {
    this.send(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `${what} not found`,
    });
  }

  private discovery(path: string): unknown {
    if (path === '/version') return { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' };
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    const groups = [...new Set(this.resources.filter((r) => r.group).map((r) => `${r.group}/${r.version}`))];
    if (path === '/apis')
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((gv) => {
          const [name, version] = gv.split('/') as [string, string];
          return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
        }),
      };
    const gv = path === '/api/v1' ? 'v1' : path.startsWith('/apis/') ? path.slice(6) : undefined;
    if (gv === undefined || (gv !== 'v1' && !groups.includes(gv))) return undefined;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: this.resources
        .filter((r) => (r.group ? `${r.group}/${r.version}` : r.version) === gv)
        .map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs })),
    };
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://x');
    const found = this.discovery(url.pathname);
    if (found) return this.send(res, 200, found);
    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const resource = m && this.resources.find((r) => r.plural === m[5] && r.group === (m[2] ?? '') && r.version === (m[1] ?? m[3]));
    if (!m || !resource) return this.notFound(res, url.pathname);
    const [namespace, name] = [m[4]!, m[6]];
    const key = (n: string) => `${resource.group}/${resource.kind}/${namespace}/${n}`;
    const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
    if (req.method === 'GET' && !name) {
      const selector = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean);
      const items = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(key('')))
        .map(([, o]) => o)
        .filter((o) => selector.every((s) => o.metadata.labels?.[s.split('=')[0]!] === s.split('=')[1]));
      return this.send(res, 200, { kind: `${resource.kind}List`, apiVersion, metadata: { resourceVersion: String(this.version) }, items });
    }
    if (!name && req.method === 'POST') {
      const obj = this.store(JSON.parse(body) as Obj, namespace);
      if (this.objects.has(key(obj.metadata.name)))
        return this.send(res, 409, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409 });
      this.objects.set(key(obj.metadata.name), obj);
      this.created.push(`${obj.kind} ${obj.metadata.name}`);
      return this.send(res, 201, obj);
    }
    const existing = name ? this.objects.get(key(name)) : undefined;
    if (!name || !existing) return this.notFound(res, `${resource.kind} ${name}`);
    if (req.method === 'GET') return this.send(res, 200, existing);
    if (req.method === 'DELETE') {
      this.objects.delete(key(name));
      return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success' });
    }
    const next = req.method === 'PUT' ? (JSON.parse(body) as Obj) : (merge(existing, JSON.parse(body)) as Obj);
    const obj = this.store(next, namespace);
    this.objects.set(key(name), obj);
    return this.send(res, 200, obj);
  }

  /** What the API server does to every write that matters here: stringData folded into data, a new resourceVersion. */
  private store(obj: Obj, namespace: string): Obj {
    this.version += 1;
    const out: Obj = { ...obj, metadata: { ...obj.metadata, namespace, resourceVersion: String(this.version) } };
    if (out.stringData) {
      out.data = { ...out.data };
      for (const [k, v] of Object.entries(out.stringData)) out.data[k] = Buffer.from(v).toString('base64');
      delete out.stringData;
    }
    return out;
  }
}

/** A JSON merge patch (RFC 7386); strategic-merge directives ($…) are ignored, lists replaced. */
function merge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

const run = promisify(execFile);

/** Runs `fn` with a helm (the repository's) whose kubeconfig points at a fresh stand-in knowing the kinds the profile renders. */
export async function withHelmAgainstStandIn(
  valuesFile: string,
  fn: (helm: (...args: string[]) => Promise<void>, api: ApiStandIn) => Promise<void>,
): Promise<void> {
  const kinds = (await helmTemplate({ name: 'stand-in', valuesFile })).map(({ apiVersion, kind }) => ({ apiVersion, kind }));
  const api = new ApiStandIn(kinds);
  const home = await mkdtemp(join(tmpdir(), 'orderly-helm-'));
  try {
    const server = await api.start();
    const kubeconfig = join(home, 'kubeconfig');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'stand-in', cluster: { server } }],
        users: [{ name: 'u', user: { token: 'stand-in' } }],
        contexts: [{ name: 'c', context: { cluster: 'stand-in', user: 'u', namespace } }],
        'current-context': 'c',
      }),
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      KUBECONFIG: kubeconfig,
      HELM_CACHE_HOME: home,
      HELM_CONFIG_HOME: home,
      HELM_DATA_HOME: home,
    };
    await fn(async (...args) => {
      await run(helmBinary(), args, { env, maxBuffer: 64 * 1024 * 1024 });
    }, api);
  } finally {
    await api.stop();
    await rm(home, { recursive: true, force: true });
  }
}
