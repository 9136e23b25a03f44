import { setTimeout as sleep } from 'node:timers/promises';
import type { Topology } from '@orderly/events';
import amqp, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { noteBrokerEndpoint } from '../telemetry/messaging-spans.js';
import { amqpSocket } from '../throughput/amqp-socket.js';
import { coalesceWrites } from '../throughput/coalesce.js';
import { guardReads } from './guarded-reads.js';
import { assertTopology, checkTopology } from './topology.js';

export type ConnectHook = (model: ChannelModel) => Promise<void>;

export interface BrokerOptions {
  url: string;
  topology: Topology;
  logger: Logger;
  metrics: Metrics;
  name: string;
  /** What the connection carries, as its metrics' `connection` label: a service keeps its consumers
   * and its publishers on separate connections, so a consumer's connection loss never stops publishing. */
  role: 'publish' | 'consume' | 'dead_letters';
  /** false: only check that the topology exists (someone else declares it). */
  declare?: boolean;
  /** Attempts at the first connection; a service that never got connected exits. */
  connectAttempts?: number;
}

/**
 * One AMQP connection (a service has one for publishing and one for consuming), recovered by amqplib with exponential back-off and jitter.
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

  static async connect({
    url,
    topology,
    logger,
    metrics,
    name,
    role,
    declare = true,
    connectAttempts = 10,
  }: BrokerOptions): Promise<Broker> {
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
        setup: (model: ChannelModel) => {
          // amqplib's recovery listens for this connection's errors only once setup has finished:
          // one lost while the topology is asserted was an uncaught 'error' that ended the process.
          // The loss itself still fails the setup, and recovery tries again with back-off.
          model.on('error', (err: Error) => logger.warn({ err, connection: role }, 'broker connection lost while setting up'));
          return declare ? assertTopology(model, topology) : checkTopology(model, topology);
        },
      },
    });
    const broker = new Broker(connection, logger);
    connection.on('connect', (model: ChannelModel) => {
      metrics.brokerConnections.inc({ event: 'connect', connection: role });
      logger.info({ connection: role }, 'broker connected');
      broker.#model = model;
      // One write per event-loop turn instead of one per frame (decision 7, where the profile
      // showed a third of the services' CPU in socket writes), through amqplib's private socket.
      const socket = amqpSocket(model);
      if (socket) coalesceWrites(socket);
      else logger.warn('amqplib no longer exposes its socket: broker writes are not batched, headers not checked');
      // A headers table amqplib cannot decode (a header bomb) would close this connection and come
      // back first after every reconnect: it is replaced before amqplib reads it (bus/frame-guard.ts).
      guardReads(socket, (reason) => {
        metrics.undecodableHeaders.inc({ connection: role });
        logger.warn({ connection: role, reason }, 'a delivery with undecodable headers; it arrives marked and is parked');
      });
      void broker.#runHooks(model, broker.#hooks);
    });
    connection.on('disconnect', (err: Error) => {
      metrics.brokerConnections.inc({ event: 'disconnect', connection: role });
      broker.#model = undefined;
      logger.warn({ err, connection: role }, 'broker connection lost');
    });
    connection.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      metrics.brokerConnections.inc({ event: 'reconnect_scheduled', connection: role });
      logger.warn({ connection: role, attempt, delayMs: delay, reason: error?.message }, 'broker reconnect scheduled');
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

  /**
   * Closes the connection, waiting at most timeoutMs: a recovering connection closed while it
   * reconnects may never settle, and a stop must end (the process exits after it either way).
   */
  async close(timeoutMs = 5_000): Promise<void> {
    const closed = this.connection.close().then(
      () => true,
      () => true,
    );
    if (!(await Promise.race([closed, sleep(timeoutMs, false, { ref: false })])))
      this.logger.warn({ timeoutMs }, 'broker connection did not close in time; leaving it');
  }
}
