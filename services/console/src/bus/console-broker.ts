import { type SagaMode, topology } from '@orderly/events';
import { Broker, type Logger, type Metrics, Publisher, type Worker } from '@orderly/platform';

export interface ConsoleBrokerOptions {
  url: string;
  mode: SagaMode;
  connectAttempts: number;
}

/**
 * The console's own broker connections, beside the platform's (which carry its outbox): the
 * keeper consumes the DLQs on one, redrives are published on the other, with confirms. It declares
 * nothing; a missing DLQ fails the keeper's set-up, and the connection is made again with back-off
 * until the topology is there.
 */
export class ConsoleBroker implements Worker {
  #broker: Broker | undefined;
  #redrives: Broker | undefined;
  readonly publisher: Publisher;

  constructor(
    private readonly options: ConsoleBrokerOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(options.url).username));
  }

  /** The keeper's connection, once start() has made it. */
  get broker(): Broker {
    if (!this.#broker) throw new Error('the console broker is not started');
    return this.#broker;
  }

  async start(): Promise<void> {
    const connect = (role: 'dead_letters' | 'publish', name: string) =>
      Broker.connect({
        url: this.options.url,
        topology: topology({ mode: this.options.mode, deliveryLimit: 1 }),
        logger: this.logger,
        metrics: this.metrics,
        name,
        role,
        declare: false,
        connectAttempts: this.options.connectAttempts,
      });
    this.#broker = await connect('dead_letters', 'orderly-console-dead-letters');
    // Redrives on a connection of their own: a DLQ delivery that drops the keeper's never stops them.
    this.#redrives = await connect('publish', 'orderly-console-redrive');
    await this.publisher.attach(this.#redrives);
  }

  async stop(): Promise<void> {
    await this.#broker?.close();
    await this.#redrives?.close();
  }
}
