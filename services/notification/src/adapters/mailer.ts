import type { Logger } from '@orderly/platform';
import nodemailer from 'nodemailer';

export interface Outgoing {
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects with nodemailer's error (responseCode: the SMTP reply). */
  send(message: Outgoing): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  url: string | undefined;
  from: string;
  /** Connection, greeting and each reply: a hung server must not hold the sender's transaction for long. */
  timeoutMs: number;
}

/**
 * SMTP when configured, over a small pool of kept connections (a batch goes out over them, one
 * message after another per connection, without a new handshake each); otherwise the message is only
 * logged (without the address).
 */
export function createMailer({ url, from, timeoutMs }: SmtpOptions, logger: Logger): Mailer {
  if (!url) {
    return {
      async send({ subject }) {
        logger.info({ subject }, 'notification (no SMTP_URL set: logged, not sent)');
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send({ to, subject, body }) {
      await transport.sendMail({ from, to, subject, text: body });
    },
    close: () => transport.close(),
  };
}
