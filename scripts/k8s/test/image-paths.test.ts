import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import test from 'ava';
import { allImages } from '../contracts/workloads.js';
import { helmTemplateFiles, readSkaffoldDoc, withProfiles } from '../skaffold-profiles.js';
import { withStubs } from './stub-tools.js';

/**
 * How images get onto a cluster without Docker: scripts/images (Podman or Docker, kind or a
 * registry, and skaffold's custom builder) and scripts/cluster-up's context. Neither Docker, Podman,
 * kind nor a cluster runs here: the tools are stand-ins that record what they are asked, and the
 * names they are given are compared with what the chart asks the kubelet for.
 */
const run = promisify(execFile);
const versions = Object.fromEntries(
  readFileSync('k8s/versions.env', 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
) as Record<string, string>;
const skaffold = readSkaffoldDoc();
const targets = skaffold.build.artifacts.map((a) => a.docker!.target!);
const imageId = `sha256:${'ab'.repeat(32)}`;
const podman = `case "$1" in image) echo ${imageId};; esac`;
const kind = (clusters = '') =>
  `case "$1" in version) echo "kind ${versions.KIND_VERSION} go1.24 linux/amd64";; get) printf '${clusters}';; esac`;

/** What containerd looks up for an image reference without a registry (the chart's `orderly-order:T`). */
const normalized = (ref: string) => (ref.includes('/') ? ref : `docker.io/library/${ref}`);
const argsOf = (calls: string[], tool: string, sub: string) =>
  calls.filter((c) => c.startsWith(`${tool} `) && c.includes(` ${sub}`)).map((c) => c.replace(/^\S+ \[[^\]]*\] /, ''));

test('the scripts are syntax-checked and shellcheck-clean', async (t) => {
  for (const s of ['scripts/images', 'scripts/cluster-up', 'scripts/cluster-down']) await t.notThrowsAsync(run('bash', ['-n', s]), s);
  if (!existsSync('/usr/bin/shellcheck'))
    return t.fail('shellcheck is missing: scripts/setup.sh --for-tests installs it (apt-get install shellcheck)');
  const { stdout } = await run('shellcheck', [
    '-x',
    '-P',
    'SCRIPTDIR',
    'scripts/images',
    'scripts/cluster-up',
    'scripts/cluster-down',
  ]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  t.is(stdout, '');
});

test('scripts/images builds exactly the Dockerfile targets skaffold.yaml builds', (t) => {
  const list = /^targets=\(([^)]*)\)/m.exec(readFileSync('scripts/images', 'utf8'))?.[1]?.split(' ');
  t.deepEqual(list, targets);
});

test('with Podman and no skaffold, the images are loaded into kind as an archive under the names the kind profile asks for', async (t) => {
  const { ok, out, calls } = await withStubs('scripts/images', ['kind', '--tag', '0.1.0'], { podman, kind: kind() });
  t.true(ok, out);
  const built = argsOf(calls, 'podman', 'build').map((c) => /-t (\S+)/.exec(c)![1]!);
  t.is(built.length, targets.length);
  t.deepEqual(argsOf(calls, 'kind', 'load'), [
    `load image-archive ${/load image-archive (\S+)/.exec(calls.join('\n'))![1]} --name orderly`,
  ]);
  t.true(
    calls.some((c) => c.startsWith('kind [podman|')),
    'kind runs with KIND_EXPERIMENTAL_PROVIDER=podman',
  );
  t.false(
    calls.some((c) => / load docker-image /.test(c)),
    'never kind load docker-image (it runs docker save)',
  );
  // -m: with Podman, further names would otherwise be saved as tags of the first image.
  const save = argsOf(calls, 'podman', 'save')[0]!.split(' ');
  t.deepEqual(save.slice(0, 3), ['save', '-m', '-o']);
  t.deepEqual(save.slice(4), built);
  // What the chart (kind profile, --set image.tag=0.1.0) makes the kubelet look for is all there.
  const asked = allImages(await helmTemplateFiles(['charts/orderly/ci/kind-values.yaml'], { 'image.tag': '0.1.0' })).map((i) =>
    normalized(i.image),
  );
  t.true(asked.length > 0);
  t.deepEqual(
    asked.filter((i) => !built.includes(i)),
    [],
  );
});

test('for a production registry, scripts/images pushes what the production values with image.registry and image.tag ask for', async (t) => {
  const registry = 'registry.example.com/orderly';
  const { ok, out, calls } = await withStubs('scripts/images', ['push', '--registry', `${registry}/`, '--tag', '1.2.3'], {
    docker: '',
    kind: kind(),
  });
  t.true(ok, out);
  const builds = calls.filter((c) => c.startsWith('docker ') && c.includes(' build '));
  t.is(builds.length, targets.length);
  t.true(
    builds.every((c) => c.includes('|1]')),
    'docker builds with BuildKit (the RUN --mount caches)',
  );
  const pushed = argsOf(calls, 'docker', 'push').map((c) => c.split(' ')[1]!);
  const asked = allImages(
    await helmTemplateFiles(['charts/orderly/ci/production-values.yaml'], { 'image.registry': registry, 'image.tag': '1.2.3' }),
  ).map((i) => i.image);
  t.true(asked.length > 0);
  t.deepEqual(
    asked.filter((i) => !pushed.includes(i)),
    [],
  );
  t.false(calls.some((c) => c.startsWith('kind ')));
});

test('as skaffold’s custom builder with Podman, it loads the image under the id tag skaffold deploys, or pushes it', async (t) => {
  const env = { IMAGE: 'orderly-order:v1-dirty', PUSH_IMAGE: 'false', BUILD_CONTEXT: '.' };
  const local = await withStubs('scripts/images', ['skaffold', 'order'], { podman, kind: kind() }, env);
  t.true(local.ok, local.out);
  t.regex(argsOf(local.calls, 'podman', 'build')[0]!, /--target order -t docker\.io\/library\/orderly-order:v1-dirty/);
  // skaffold tags <name>:<image id> after the build and deploys that (build.TagWithImageID).
  t.regex(argsOf(local.calls, 'podman', 'save')[0]!, new RegExp(`docker\\.io/library/orderly-order:${imageId.slice(7)}`));
  t.is(argsOf(local.calls, 'kind', 'load').length, 1);
  const pushed = await withStubs(
    'scripts/images',
    ['skaffold', 'order'],
    { podman, kind: kind() },
    { ...env, IMAGE: 'registry.example.com/orderly/orderly-order:v1', PUSH_IMAGE: 'true' },
  );
  t.true(pushed.ok, pushed.out);
  t.deepEqual(argsOf(pushed.calls, 'podman', 'push'), ['push registry.example.com/orderly/orderly-order:v1']);
  t.false(pushed.calls.some((c) => c.startsWith('kind ')));
  // The podman profile builds every artifact this way, each with its own target.
  const custom = withProfiles(skaffold, ['podman']).build.artifacts;
  t.deepEqual(
    custom.map((a) => a.custom?.buildCommand),
    targets.map((target) => `scripts/images skaffold ${target}`),
  );
  t.true(custom.every((a) => a.docker === undefined));
});

const clusterUpStubs = (clusters: string) => ({
  kind: kind(clusters),
  kubectl: 'case "$*" in *"-o yaml"*) echo "{}";; *"-f -"*) cat >/dev/null;; esac',
  helm: '',
});

test('when cluster-up reuses an existing cluster, then it makes that cluster the current kube context', async (t) => {
  const { ok, out, calls } = await withStubs('scripts/cluster-up', [], { docker: '', ...clusterUpStubs('orderly\\n') });
  t.true(ok, out);
  t.false(
    calls.some((c) => / create cluster /.test(c)),
    'reused, not created',
  );
  t.true(calls.some((c) => /^kind .* export kubeconfig --name orderly$/.test(c)));
  const use = calls.findIndex((c) => /^kubectl .* config use-context kind-orderly$/.test(c));
  t.true(use >= 0, 'kubectl config use-context kind-orderly');
  t.true(use < calls.findIndex((c) => c.startsWith('helm ')), 'before anything is installed');
});

test('with Podman, cluster-up turns skaffold’s own kind load off for the cluster’s context and says how to run skaffold', async (t) => {
  const { ok, out, calls } = await withStubs('scripts/cluster-up', [], { podman: '', skaffold: '', ...clusterUpStubs('') });
  t.true(ok, out);
  t.true(calls.some((c) => /^skaffold .* config set --kube-context kind-orderly kind-disable-load true$/.test(c)));
  t.regex(out, /skaffold dev -p podman/);
  const docker = await withStubs('scripts/cluster-up', [], { docker: '', skaffold: '', ...clusterUpStubs('') });
  t.false(
    docker.calls.some((c) => c.startsWith('skaffold ')),
    'Docker users keep skaffold’s kind load',
  );
});
