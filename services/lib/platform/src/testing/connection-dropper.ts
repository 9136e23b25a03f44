import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the broker that, once armed, drops every AMQP connection whose client
 * names itself (connection_name) one of `names`, and again shortly after each time it connects
 * again: what a poison delivery does to the connection that consumes it, without the poison.
 * Other connections pass untouched.
 */
export class ConnectionDropper {
  readonly #sockets = new Set<Socket>();
  /** The named connections open now, each with what drops it. */
  readonly #named = new Set<() => void>();
  #armed = false;
  /** Connections dropped so far. */
  dropped = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(brokerUrl: string, names: string[], afterMs = 100): Promise<ConnectionDropper> {
    const target = new URL(brokerUrl);
    // connection_name as it appears in connection.start-ok: a long string, 'S' and a 4-byte length.
    const patterns = names.map((n) => {
      const name = Buffer.from(n);
      const head = Buffer.alloc(5);
      head.write('S', 0, 'latin1');
      head.writeUInt32BE(name.length, 1);
      return Buffer.concat([head, name]);
    });
    let dropper: ConnectionDropper | undefined;
    const server = createServer({ noDelay: true }, (client) => {
      const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5672), noDelay: true });
      const sockets = dropper!.#sockets.add(client).add(upstream);
      let drop: (() => void) | undefined;
      const close = () => {
        if (drop) dropper!.#named.delete(drop);
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      let seen = Buffer.alloc(0);
      let marked = false;
      client.on('data', (chunk: Buffer) => {
        if (!marked && seen.length < 4_096) {
          seen = Buffer.concat([seen, chunk]);
          if (patterns.some((p) => seen.includes(p))) {
            marked = true;
            const dropThis = () => {
              if (!dropper!.#named.delete(dropThis)) return;
              dropper!.dropped += 1;
              close();
            };
            drop = dropThis;
            dropper!.#named.add(dropThis);
            if (dropper!.#armed) setTimeout(dropThis, afterMs);
          }
        }
      });
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    dropper = new ConnectionDropper(server, (server.address() as { port: number }).port);
    return dropper;
  }

  /** Drops the named connections open now, and each one that opens from now on, afterMs after it does. */
  arm(): void {
    this.#armed = true;
    for (const drop of [...this.#named]) drop();
  }

  /** Lets the named connections be from now on. */
  disarm(): void {
    this.#armed = false;
  }

  /** The broker URL through this proxy. */
  urlFor(brokerUrl: string): string {
    const url = new URL(brokerUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.href;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
