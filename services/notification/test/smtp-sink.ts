import { once } from 'node:events';
import { type Cleanups, createTestEnv, startTestService } from '@orderly/platform/testing';
import { SMTPServer } from 'smtp-server';
import { definition } from '../src/service.js';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

/**
 * A real SMTP server for the tests: what the notification service talks to in production. It can
 * refuse recipients for good (550, as a server does for an unknown mailbox), take its time per
 * message, and listen on a port chosen before it starts (to play a server that was down).
 */
export class SmtpSink {
  readonly mails: Received[] = [];
  /** Recipients refused with 550. */
  readonly refused = new Set<string>();
  delayMs = 0;
  readonly #server: SMTPServer;

  constructor() {
    this.#server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo: (address, _session, done) => {
        if (!this.refused.has(address.address)) return done();
        done(Object.assign(new Error(`mailbox ${address.address} unavailable`), { responseCode: 550 }));
      },
      onData: (stream, session, done) => {
        let raw = '';
        stream.on('data', (c) => {
          raw += c;
        });
        stream.on('end', () => {
          setTimeout(() => {
            this.mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
            });
            done();
          }, this.delayMs);
        });
      },
    });
  }

  async listen(port = 0): Promise<number> {
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server.server, 'listening');
    return this.port;
  }

  get port(): number {
    return (this.#server.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Mails to this address. */
  to(address: string): Received[] {
    return this.mails.filter((m) => m.to.includes(address));
  }
}

/** A port nothing listens on (yet): taken from the system, then let go. */
export async function freePort(): Promise<number> {
  const probe = new SMTPServer({ authOptional: true });
  probe.listen(0, '127.0.0.1');
  await once(probe.server, 'listening');
  const { port } = probe.server.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A test file's environment, an SMTP sink and the notification service mailing to it, closed with the file's cleanups. */
export async function notificationWithSink(name: string, cleanups: Cleanups, vars: Record<string, string> = {}) {
  const env = await createTestEnv(name);
  cleanups.add(() => env.cleanup());
  const smtp = new SmtpSink();
  await smtp.listen();
  cleanups.add(() => smtp.close());
  const service = await startTestService(definition, env, cleanups, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...vars });
  return { env, smtp, service };
}
