import type { Tx } from '../transaction/transaction.js';
import { type Handlers, handlerFor, type Message } from './handlers.js';
import { type BrokerIdentity, producerProblem } from './identity.js';
import { PermanentError, parseEvent } from './parse-event.js';

/**
 * The decisions of the inbound path, as pure functions: what the consumer does with a delivery,
 * and what the dry run reports, come from the same code.
 */

/** A message to handle, or the reason it is parked at once (malformed, forged, no handler). */
export type Admission = { handle: true; event: Message; work: (tx: Tx) => Promise<void> } | { handle: false; error: Error };

/** Parses, verifies the producer (the broker user that published it) and finds the handler. */
export function admit(
  content: Buffer,
  publishedBy: string | undefined,
  identity: BrokerIdentity,
  handlers: Handlers,
  queue: string,
): Admission {
  let event: Message;
  try {
    event = parseEvent(content);
  } catch (err) {
    return { handle: false, error: err as Error };
  }
  const forged = producerProblem(event, publishedBy, identity);
  if (forged) return { handle: false, error: new PermanentError(`refused: ${forged}`) };
  const work = handlerFor(handlers, event);
  if (!work) return { handle: false, error: new Error(`${queue} has no handler for ${event.type}`) };
  return { handle: true, event, work };
}

/** After a failed attempt: park it, or retry it (spending an attempt, or waiting without spending one). */
export type AfterFailure =
  | { park: true; error: Error }
  | { park: false; outage: boolean; nextAttempt: number; delayAttempt: number; waitingSince?: number };

/**
 * `outage`: the database could not be reached, or the message it needs has not arrived
 * (`notYet`): not the message's fault, so it waits the longest back-off without spending an
 * attempt. A message whose companion never comes is parked once it has waited notYetMaxWaitMs.
 */
export function afterFailure(
  err: unknown,
  f: { attempt: number; maxAttempts: number; outage: boolean; notYet: boolean; waitingSince: number; now: number; notYetMaxWaitMs: number },
): AfterFailure {
  const waitedOut = f.notYet && f.now - f.waitingSince >= f.notYetMaxWaitMs;
  if (err instanceof PermanentError || waitedOut || (f.attempt >= f.maxAttempts && !f.outage)) {
    const error = waitedOut ? new Error(`waited ${f.now - f.waitingSince} ms: ${errText(err)}`) : (err as Error);
    return { park: true, error };
  }
  return {
    park: false,
    outage: f.outage,
    nextAttempt: f.outage ? f.attempt : f.attempt + 1,
    delayAttempt: f.outage ? f.maxAttempts : f.attempt,
    ...(f.notYet ? { waitingSince: f.waitingSince } : {}),
  };
}

/** As the consumer writes x-orderly-error. */
export function errText(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);
}
