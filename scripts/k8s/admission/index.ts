import type { Manifest } from '../manifest.js';
import { cnpgCreateProblems, cnpgUpdateProblems } from './cloudnative-pg.js';
import { kedaCreateProblems } from './keda.js';
import { coreUpdateProblems } from './kubernetes.js';
import { orderingProblems } from './ordering.js';
import { rabbitmqCreateProblems, rabbitmqUpdateProblems } from './rabbitmq-cluster.js';
import { topologyCreateProblems, topologyUpdateProblems } from './topology-operator.js';

/**
 * What the operators' admission webhooks and controllers, and Helm's order of operations, would
 * refuse on a first install of these objects — beyond the CRD schemas (validate.ts).
 */
export function installProblems(manifests: Manifest[]): string[] {
  return [
    ...topologyCreateProblems(manifests),
    ...rabbitmqCreateProblems(manifests),
    ...cnpgCreateProblems(manifests),
    ...kedaCreateProblems(manifests),
    ...orderingProblems('install', manifests),
  ];
}

/** The same for `helm upgrade` from the release `previous` to `next`: the new objects' own rules, and what may not change. */
export function upgradeProblems(previous: Manifest[], next: Manifest[]): string[] {
  return [
    ...topologyCreateProblems(next),
    ...rabbitmqCreateProblems(next),
    ...cnpgCreateProblems(next),
    ...kedaCreateProblems(next),
    ...topologyUpdateProblems(previous, next),
    ...rabbitmqUpdateProblems(previous, next),
    ...cnpgUpdateProblems(previous, next),
    ...coreUpdateProblems(previous, next),
    ...orderingProblems('upgrade', next, previous),
  ];
}
