import type { Logger } from '@orderly/platform';
import nodemailer from 'nodemailer';

export interface Outgoing {
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  send(message: Outgoing): Promise<void>;
}

/** SMTP when configured; otherwise the message is only logged (without the address). */
export function createMailer(smtpUrl: string | undefined, from: string, logger: Logger): Mailer {
  if (!smtpUrl) {
    return {
      async send({ subject }) {
        logger.info({ subject }, 'notification (no SMTP_URL set: logged, not sent)');
      },
    };
  }
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send({ to, subject, body }) {
      await transport.sendMail({ from, to, subject, text: body });
    },
  };
}
