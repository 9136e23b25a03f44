import { createServer, type Server } from 'node:net';
import * as k8s from '@kubernetes/client-node';

/** The cluster side of the live tool: reads through @kubernetes/client-node, forwards ports itself. */
export class Cluster {
  readonly kc = new k8s.KubeConfig();
  readonly apps: k8s.AppsV1Api;
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;

  constructor(readonly namespace: string) {
    this.kc.loadFromDefault();
    this.apps = this.kc.makeApiClient(k8s.AppsV1Api);
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
  }

  rabbitmqClusters(): Promise<{ items: { metadata: { name: string }; status?: { conditions?: [] } }[] }> {
    return this.custom.listNamespacedCustomObject({
      group: 'rabbitmq.com',
      version: 'v1beta1',
      namespace: this.namespace,
      plural: 'rabbitmqclusters',
    });
  }

  async deployments(): Promise<k8s.V1Deployment[]> {
    return (await this.apps.listNamespacedDeployment({ namespace: this.namespace })).items;
  }

  async replicas(deployment: string): Promise<number> {
    const d = await this.apps.readNamespacedDeployment({ name: deployment, namespace: this.namespace });
    return d.status?.readyReplicas ?? 0;
  }

  async secret(name: string, key: string): Promise<string> {
    const s = await this.core.readNamespacedSecret({ name, namespace: this.namespace });
    const v = s.data?.[key];
    if (v === undefined) throw new Error(`secret ${name} has no key ${key}`);
    return Buffer.from(v, 'base64').toString('utf8');
  }

  /** A running, ready pod behind a Service's selector labels. */
  async podFor(selector: string): Promise<string> {
    const pods = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector });
    const pod = pods.items.find(
      (p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (!pod?.metadata?.name) throw new Error(`no ready pod for ${selector}`);
    return pod.metadata.name;
  }

  /** Forwards a local ephemeral port to a pod's port, like `kubectl port-forward`; returns the local port. */
  async portForward(pod: string, port: number): Promise<{ port: number; server: Server }> {
    const forward = new k8s.PortForward(this.kc);
    const server = createServer((socket) => {
      forward.portForward(this.namespace, pod, [port], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as { port: number }).port, server };
  }
}
