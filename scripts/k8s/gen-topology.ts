/**
 * Writes charts/orderly/files/topology.json from the code's topology definition.
 * Usage: node --conditions=source --import tsx scripts/k8s/gen-topology.ts [--check]
 * With --check it writes nothing and exits 1 when the committed file differs from the code.
 */
import { writeFile } from 'node:fs/promises';
import { topologyDrift } from './topology-drift.js';
import { renderTopologyFile, topologyFilePath } from './topology-file.js';

if (process.argv.includes('--check')) {
  const drift = await topologyDrift();
  if (drift.length > 0) {
    console.error(`${topologyFilePath} differs from the code:\n  ${drift.join('\n  ')}\nrun scripts/k8s/gen-topology.ts`);
    process.exit(1);
  }
} else {
  await writeFile(topologyFilePath, renderTopologyFile());
  console.log(`wrote ${topologyFilePath}`);
}
