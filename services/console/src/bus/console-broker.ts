import { type SagaMode, topology } from '@orderly/events';
import { Broker, type Logger, type Metrics, Publisher, type Worker } from '@orderly/platform';

export interface ConsoleBrokerOptions {
  url: string;
  mode: SagaMode;
  connectAttempts: number;
}

/**
 * The console's own broker connection, beside the platform's (which carries its outbox): the
 * keeper consumes the DLQs on it and redrives are published on it, with confirms. It declares
 * nothing; a missing DLQ fails the keeper's set-up, and the connection is made again with back-off
 * until the topology is there.
 */
export class ConsoleBroker implements Worker {
  #broker: Broker | undefined;
  readonly publisher: Publisher;

  constructor(
    private readonly options: ConsoleBrokerOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(options.url).username));
  }

  /** The connection, once start() has made it. */
  get broker(): Broker {
    if (!this.#broker) throw new Error('the console broker is not started');
    return this.#broker;
  }

  async start(): Promise<void> {
    this.#broker = await Broker.connect({
      url: this.options.url,
      topology: topology({ mode: this.options.mode, deliveryLimit: 1 }),
      logger: this.logger,
      metrics: this.metrics,
      name: 'orderly-console-dead-letters',
      declare: false,
      connectAttempts: this.options.connectAttempts,
    });
    await this.publisher.attach(this.#broker);
  }

  async stop(): Promise<void> {
    await this.#broker?.close();
  }
}
