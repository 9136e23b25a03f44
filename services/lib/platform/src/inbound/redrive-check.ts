import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { ParkedMessages } from './parked-messages.js';

/** What a copy from the redrive user is: the message this consumer parked, from its publisher, or not. */
export type RedriveCheck = { verified: true; publishedBy: string } | { verified: false; claimed: string; reason: string };

/**
 * Checks the publisher a redriven copy claims (decision 0024): believed only when this queue's
 * consumer parked exactly these bytes from that publisher. A database that cannot answer is waited
 * for, holding this one delivery (every other message waits for the database too): neither the
 * claim nor the message is lost. Undefined when the consumer stops first (the delivery goes back).
 */
export async function checkRedrive(
  parked: ParkedMessages,
  copy: { queue: string; body: Buffer; claimed: string | undefined; sentBy: string },
  until: { stopped: () => boolean; logger: Logger },
): Promise<RedriveCheck | undefined> {
  const { queue, body, claimed, sentBy } = copy;
  if (claimed === undefined) return refused(copy, 'it names no publisher');
  for (let attempt = 1; !until.stopped(); attempt++) {
    try {
      if (await parked.parked(queue, claimed, body)) return { verified: true, publishedBy: claimed };
      return refused(copy, `${queue} never parked this message from ${claimed.slice(0, 200)}`);
    } catch (err) {
      until.logger.warn({ err, queue, sentBy }, 'cannot check a redriven copy yet; waiting for the database');
      await sleep(backoffDelay(attempt, 250, 10_000));
    }
  }
  return undefined;
}

/** The claim is the sender's text: cut short, so the parked copy's headers stay small whatever it sent. */
const refused = (copy: { claimed: string | undefined; sentBy: string }, why: string): RedriveCheck => ({
  verified: false,
  claimed: (copy.claimed ?? '').slice(0, 200),
  reason: `a copy redriven by ${copy.sentBy} is believed only when it is a message this queue parked: ${why}`.slice(0, 600),
});
