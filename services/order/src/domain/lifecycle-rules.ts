import type { EventData } from '@orderly/events';
import { type Facts, lifecycle, type Outcome, outcomes, type Reply, type Reserved, replies, type Status, statuses } from './lifecycle.js';

/**
 * Pure: what the lifecycle table (lifecycle.ts) says, asked the ways the service needs it. Nothing
 * here adds a rule of its own.
 */

/**
 * What an outcome means for an order in its status: `apply` it; it is `early` (a step it depends
 * on has not happened yet: retried until it has, or parked); or it is `stale` (late, repeated or
 * overtaken) and ignored.
 */
export type Verdict = 'apply' | 'stale' | 'early';

export function judge(current: Status, outcome: Outcome): Verdict {
  const t = lifecycle[outcome];
  if (t.from.includes(current)) return 'apply';
  return t.early?.includes(current) ? 'early' : 'stale';
}

/** The outcome a participant's reply means, and the facts the order keeps from it: the one row on its type whose condition holds. */
export function outcomeOf(reply: { type: Reply; data: EventData<Reply> }, order: Reserved): { outcome: Outcome; facts: Facts } {
  // A row's functions take the data of its own reply type, and only rows on this reply's type are asked.
  const rows = outcomes.filter((o) => lifecycle[o].on === reply.type);
  const fits = (o: Outcome) => (lifecycle[o].when as ((d: unknown, order: Reserved) => boolean) | undefined)?.(reply.data, order) ?? true;
  const matching = rows.filter(fits);
  if (matching.length !== 1) throw new Error(`${reply.type}: ${matching.length} rows of the order's lifecycle fit, not one`);
  const outcome = matching[0]!;
  const facts = lifecycle[outcome].facts as ((d: unknown) => Facts) | undefined;
  return { outcome, facts: facts?.(reply.data) ?? {} };
}

const leaving = (s: Status) => outcomes.filter((o) => lifecycle[o].from.includes(s));

/** Nothing moves an order on from DELIVERED, REJECTED or CANCELLED. */
export const isTerminal = (s: Status): boolean => leaving(s).length === 0;

/** The statuses something still follows: an order in one that stopped changing is stuck (migration 007's partial index holds these). */
export const openStatuses: readonly Status[] = statuses.filter((s) => !isTerminal(s));

/** A customer may cancel until the parcel has left. */
export const canCancel = (s: Status): boolean => lifecycle.customer_request.from.includes(s);

/** The saga has decided once nothing can reject the order any more: it will be fulfilled, or it never will be. */
export const isDecided = (s: Status): boolean => !leaving(s).some((o) => lifecycle[o].to === 'REJECTED');

const isReply = (on: string): on is Reply => (replies as readonly string[]).includes(on);
const unique = <T>(xs: T[]) => [...new Set(xs)];

/** The participants' replies that move an order on from a status: what it waits for; none in a terminal status. */
export function awaitedReplies(s: Status): Reply[] {
  return unique(
    leaving(s).flatMap((o) => {
      const on = lifecycle[o].on;
      return isReply(on) ? [on] : [];
    }),
  );
}

/**
 * An orchestrated step's replies, for the status its order is in while the step runs: a reply
 * that moves the order on completes the step; one that rejects the order fails it (the earlier
 * steps are compensated). A reply whose outcome undoes the saga (a payment for another amount)
 * cancels it instead of being a reply to the step.
 */
export function stepReplies(s: Status): { succeeded: Reply[]; failed: Reply[] } {
  const answers = leaving(s).filter((o) => !lifecycle[o].compensates);
  const on = (pick: (o: Outcome) => boolean) =>
    unique(
      answers.filter(pick).flatMap((o) => {
        const reply = lifecycle[o].on;
        return isReply(reply) ? [reply] : [];
      }),
    );
  return { succeeded: on((o) => !isTerminal(lifecycle[o].to)), failed: on((o) => isTerminal(lifecycle[o].to)) };
}
