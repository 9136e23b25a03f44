/**
 * An order's timeline in causal order: a message always comes after the message that caused it
 * (its causation id), whatever the clocks of the services say; among the messages whose cause is
 * already shown, the earliest (by time, then id) comes next. A cause that is not in the timeline
 * does not hold a message back.
 */

export interface Hop {
  id: string;
  causationId: string | null;
  /** ISO 8601. */
  time: string;
}

const chronological = (a: Hop, b: Hop) => Date.parse(a.time) - Date.parse(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function earliest<T extends Hop>(hops: Iterable<T>): T | undefined {
  let first: T | undefined;
  for (const h of hops) if (!first || chronological(h, first) < 0) first = h;
  return first;
}

export function causalOrder<T extends Hop>(all: readonly T[]): T[] {
  const hops = [...new Map(all.map((h) => [h.id, h])).values()];
  const ids = new Set(hops.map((h) => h.id));
  const effects = new Map<string, T[]>();
  const ready = new Set<T>();
  for (const h of hops) {
    if (h.causationId && h.causationId !== h.id && ids.has(h.causationId)) {
      effects.set(h.causationId, [...(effects.get(h.causationId) ?? []), h]);
    } else {
      ready.add(h);
    }
  }
  const shown = new Set<string>();
  const ordered: T[] = [];
  while (ordered.length < hops.length) {
    // Nothing ready only when causes form a cycle (bad data): go on with the earliest left.
    const next = earliest(ready) ?? earliest(hops.filter((h) => !shown.has(h.id)))!;
    ready.delete(next);
    if (shown.has(next.id)) continue;
    shown.add(next.id);
    ordered.push(next);
    for (const effect of effects.get(next.id) ?? []) if (!shown.has(effect.id)) ready.add(effect);
  }
  return ordered;
}

/** The timeline with the time spent since the previous hop (null for the first; negative only when clocks disagree). */
export function timeline<T extends Hop>(hops: readonly T[]): (T & { sincePreviousMs: number | null })[] {
  const ordered = causalOrder(hops);
  return ordered.map((h, i) => ({ ...h, sincePreviousMs: i === 0 ? null : Date.parse(h.time) - Date.parse(ordered[i - 1]!.time) }));
}
