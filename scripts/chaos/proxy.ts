/**
 * A TCP proxy the harness controls, between one service and its broker or database. Network
 * faults without iptables: `hang()` stops forwarding in both directions without closing anything
 * (what dropped packets look like to both ends: writes are accepted, nothing comes back), `slow()`
 * delays every chunk, `heal()` goes back to passing bytes straight through.
 */
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

type Mode = { kind: 'pass' } | { kind: 'hang' } | { kind: 'slow'; delayMs: number };

interface Pipe {
  from: Socket;
  to: Socket;
  queue: { chunk: Buffer; due: number }[];
  ended: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class FaultProxy {
  #mode: Mode = { kind: 'pass' };
  readonly #pipes = new Set<Pipe>();
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly name: string,
  ) {}

  static async start(name: string, targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer({ noDelay: true }, (client) => proxy?.accept(client, targetHost, targetPort));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    proxy = new FaultProxy(server, (server.address() as { port: number }).port, name);
    return proxy;
  }

  get mode(): string {
    return this.#mode.kind;
  }

  hang(): void {
    this.#mode = { kind: 'hang' };
    for (const p of this.#pipes) p.from.pause();
  }

  slow(delayMs: number): void {
    this.#mode = { kind: 'slow', delayMs };
    for (const p of this.#pipes) p.from.resume();
  }

  heal(): void {
    this.#mode = { kind: 'pass' };
    for (const p of this.#pipes) {
      for (const item of p.queue) item.due = 0;
      p.from.resume();
      this.#pump(p);
    }
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port, noDelay: true });
    this.#sockets.add(client).add(upstream);
    const destroy = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', destroy).on('close', destroy);
    upstream.on('error', destroy).on('close', destroy);
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  #pipe(from: Socket, to: Socket): void {
    const pipe: Pipe = { from, to, queue: [], ended: false, timer: undefined };
    this.#pipes.add(pipe);
    if (this.#mode.kind === 'hang') from.pause();
    from.on('data', (chunk: Buffer) => {
      const delay = this.#mode.kind === 'slow' ? this.#mode.delayMs : 0;
      pipe.queue.push({ chunk, due: Date.now() + delay });
      if (this.#mode.kind === 'hang') from.pause();
      this.#pump(pipe);
    });
    from.on('end', () => {
      pipe.ended = true;
      this.#pump(pipe);
    });
    from.on('close', () => this.#pipes.delete(pipe));
  }

  #pump(pipe: Pipe): void {
    if (pipe.timer) return;
    if (this.#mode.kind === 'hang') return;
    const now = Date.now();
    while (pipe.queue.length > 0 && pipe.queue[0]!.due <= now) {
      const { chunk } = pipe.queue.shift()!;
      if (!pipe.to.destroyed) pipe.to.write(chunk);
    }
    if (pipe.queue.length > 0) {
      pipe.timer = setTimeout(() => {
        pipe.timer = undefined;
        this.#pump(pipe);
      }, pipe.queue[0]!.due - now);
      return;
    }
    if (pipe.ended && !pipe.to.destroyed) pipe.to.end();
  }
}
