import type { Topology } from '@orderly/events';
import amqp, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { noteBrokerEndpoint } from '../telemetry/messaging-spans.js';
import { amqpSocket } from '../throughput/amqp-socket.js';
import { coalesceWrites } from '../throughput/coalesce.js';
import { assertTopology, checkTopology } from './topology.js';

export type ConnectHook = (model: ChannelModel) => Promise<void>;

export interface BrokerOptions {
  url: string;
  topology: Topology;
  logger: Logger;
  metrics: Metrics;
  name: string;
  /** false: only check that the topology exists (someone else declares it). */
  declare?: boolean;
  /** Attempts at the first connection; a service that never got connected exits. */
  connectAttempts?: number;
}

/**
 * One AMQP connection per service, recovered by amqplib with exponential back-off and jitter.
 * The topology is asserted on every (re)connect before anyone gets a channel; channels and
 * consumers register a hook that re-creates them on each new connection.
 */
export class Broker {
  #hooks: ConnectHook[] = [];
  #model: ChannelModel | undefined;

  private constructor(
    private readonly connection: RecoveringChannelModel,
    private readonly logger: Logger,
  ) {}

  static async connect({ url, topology, logger, metrics, name, declare = true, connectAttempts = 10 }: BrokerOptions): Promise<Broker> {
    noteBrokerEndpoint(url);
    const connection = await amqp.connect(url, {
      clientProperties: { connection_name: name },
      // Writes are already gathered per event-loop turn (coalesceWrites); Nagle on top of that
      // only holds a frame back until the broker's delayed ACK, ~40 ms on every hop.
      noDelay: true,
      recovery: {
        initialDelay: 250,
        maxDelay: 15_000,
        jitter: 0.5,
        initialMaxRetries: connectAttempts - 1,
        waitForConnect: false,
        setup: (model: ChannelModel) => (declare ? assertTopology(model, topology) : checkTopology(model, topology)),
      },
    });
    const broker = new Broker(connection, logger);
    connection.on('connect', (model: ChannelModel) => {
      metrics.brokerConnections.inc({ event: 'connect' });
      logger.info('broker connected');
      broker.#model = model;
      // One write per event-loop turn instead of one per frame (decision 7, where the profile
      // showed a third of the services' CPU in socket writes), through amqplib's private socket.
      const socket = amqpSocket(model);
      if (socket) coalesceWrites(socket);
      else logger.warn('amqplib no longer exposes its socket: broker writes are not batched');
      void broker.#runHooks(model, broker.#hooks);
    });
    connection.on('disconnect', (err: Error) => {
      metrics.brokerConnections.inc({ event: 'disconnect' });
      broker.#model = undefined;
      logger.warn({ err }, 'broker connection lost');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      metrics.brokerConnections.inc({ event: 'reconnect_scheduled' });
      logger.warn({ attempt, delayMs: delay, reason: error?.message }, 'broker reconnect scheduled');
    });
    connection.on('error', (err: Error) => logger.warn({ err }, 'broker connection error'));
    await connection.waitForConnect();
    return broker;
  }

  /** Runs hook now if connected, and again after every reconnect. */
  async onConnect(hook: ConnectHook): Promise<void> {
    this.#hooks.push(hook);
    if (this.#model) await this.#runHooks(this.#model, [hook]);
  }

  async #runHooks(model: ChannelModel, hooks: ConnectHook[]): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook(model);
      } catch (err) {
        // A half-set-up connection would leave a consumer or publisher missing: start over.
        this.logger.error({ err }, 'broker set-up failed; reconnecting');
        await model.close().catch(() => {});
        return;
      }
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => {});
  }
}
