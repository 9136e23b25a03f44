import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceGateway {
  /** SERVICE_URL_TEMPLATE for the console: `http://127.0.0.1:<port>/{service}`. */
  template: string;
  close(): Promise<void>;
}

/**
 * The services of a test run on ports of their own (port 0), not on their fixed ports, so the
 * console reaches them as it would behind an ingress that routes by path: /<service>/… goes to
 * that service's port, the rest of the request unchanged.
 */
export async function startServiceGateway(portOf: (service: string) => number | undefined): Promise<ServiceGateway> {
  const server = createServer((req, res) => {
    const match = /^\/([a-z]+)(\/.*)?$/.exec(req.url ?? '');
    const port = match ? portOf(match[1]!) : undefined;
    if (!match || !port) {
      res.writeHead(502).end();
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: match[2] ?? '/', headers: { ...req.headers, host: `127.0.0.1:${port}` } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.headersSent || res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    template: `http://127.0.0.1:${port}/{service}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
