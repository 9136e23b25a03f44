/**
 * The seven services (or some) started in this process on a scratch vhost and database, with a tap:
 * an exclusive queue bound to every event (and, orchestrated, every command), no acks, that keeps
 * each message of an order with its envelope time (when its producer emitted it, in microseconds)
 * and the time the tap got it. Shared by hop-latency.ts and tail-latency.ts.
 */
import { commandTypes, exchanges } from '@orderly/events';
import { ApiClient, allServices, type ServiceName, Stack } from '@orderly/testkit';
import amqp from 'amqplib';

export interface Seen {
  type: string;
  emittedMs: number;
  tappedMs: number;
}

/** Wall-clock time in ms with a fraction, comparable with the envelopes' microsecond times. */
export const wallMs = () => performance.timeOrigin + performance.now();
const envelopeMs = (time: string) => Date.parse(time) + Number(/\.\d{3}(\d{3})Z$/.exec(time)?.[1] ?? 0) / 1000;

export interface TappedStack {
  /** Every tapped message by order id (the envelope's subject). */
  seen: Map<string, Seen[]>;
  /** Called with each tapped message's order id and type. */
  onTapped?: (orderId: string, type: string) => void;
  client: ApiClient;
  close(): Promise<void>;
}

export async function tappedStack(
  name: string,
  mode: 'choreography' | 'orchestration',
  services: readonly ServiceName[] = allServices,
  stock = 1_000_000,
  env: Record<string, string> = {},
): Promise<TappedStack> {
  const stack = await Stack.create(name, { SAGA_MODE: mode, ...env });
  const tap = await amqp.connect(stack.env.amqpUrl, { noDelay: true });
  const close = async () => {
    await tap.close().catch(() => {});
    await stack.dispose();
  };
  try {
    await stack.start([...services]);
    const seen = new Map<string, Seen[]>();
    const channel = await tap.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, exchanges.events, '#');
    // The commands exchange is direct: each command type is bound by name.
    if (mode === 'orchestration') for (const type of commandTypes) await channel.bindQueue(queue, exchanges.commands, type);
    const tapped: TappedStack = { seen, client: undefined as unknown as ApiClient, close };
    await channel.consume(
      queue,
      (msg) => {
        if (!msg) return;
        const tappedMs = wallMs();
        const event = JSON.parse(msg.content.toString('utf8')) as { type: string; subject: string; time: string };
        const list = seen.get(event.subject) ?? [];
        list.push({ type: event.type, emittedMs: envelopeMs(event.time), tappedMs });
        seen.set(event.subject, list);
        tapped.onTapped?.(event.subject, event.type);
      },
      { noAck: true },
    );
    await stack.setStock('TSHIRT-BLK-M', stock);
    const token = await stack.identity.customerToken('C100');
    tapped.client = new ApiClient(
      (s) => stack.url(s, ''),
      async () => token,
    );
    return tapped;
  } catch (err) {
    await close();
    throw err;
  }
}
