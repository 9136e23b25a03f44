/**
 * An order's timeline in causal order: a message always comes after the message that caused it
 * (its causation id), whatever the clocks of the services say; among the messages whose cause is
 * already shown, the earliest (by time, then id) comes next. A cause that is not in the timeline
 * does not hold a message back. O(n log n): a heap holds the messages ready to be shown.
 */

export interface Hop {
  id: string;
  causationId: string | null;
  /** ISO 8601. */
  time: string;
}

type Keyed<T> = { hop: T; at: number };

/**
 * Microseconds since the epoch. Envelope times carry six decimals, strictly increasing within a
 * process (events' envelopeTime), so messages one transaction emitted in the same millisecond keep
 * their order; Date.parse would keep only three.
 */
export function microsOf(iso: string): number {
  const fraction = /\.\d{3}(\d{1,3})/.exec(iso)?.[1];
  return Date.parse(iso) * 1000 + (fraction ? Number(fraction.padEnd(3, '0')) : 0);
}
const before = <T extends Hop>(a: Keyed<T>, b: Keyed<T>) => a.at - b.at || (a.hop.id < b.hop.id ? -1 : a.hop.id > b.hop.id ? 1 : 0);

/** A binary min-heap in chronological order. */
class Earliest<T extends Hop> {
  #items: Keyed<T>[] = [];
  get size(): number {
    return this.#items.length;
  }
  push(item: Keyed<T>): void {
    const a = this.#items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (before(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Keyed<T> | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && before(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export function causalOrder<T extends Hop>(all: readonly T[]): T[] {
  const hops = [...new Map(all.map((h) => [h.id, h])).values()].map((hop) => ({ hop, at: microsOf(hop.time) }));
  const ids = new Set(hops.map((h) => h.hop.id));
  const effects = new Map<string, Keyed<T>[]>();
  const ready = new Earliest<T>();
  for (const h of hops) {
    const cause = h.hop.causationId;
    if (cause && cause !== h.hop.id && ids.has(cause)) {
      const list = effects.get(cause);
      if (list) list.push(h);
      else effects.set(cause, [h]);
    } else {
      ready.push(h);
    }
  }
  // For a cycle of causes (bad data): the earliest message not shown yet breaks it.
  const byTime = [...hops].sort(before);
  let nextByTime = 0;
  const shown = new Set<string>();
  const ordered: T[] = [];
  while (ordered.length < hops.length) {
    let next = ready.pop();
    if (!next) {
      while (shown.has(byTime[nextByTime]!.hop.id)) nextByTime++;
      next = byTime[nextByTime]!;
    }
    if (shown.has(next.hop.id)) continue;
    shown.add(next.hop.id);
    ordered.push(next.hop);
    for (const effect of effects.get(next.hop.id) ?? []) if (!shown.has(effect.hop.id)) ready.push(effect);
  }
  return ordered;
}

/** The timeline with the time spent since the previous hop (null for the first; negative only when clocks disagree). */
export function timeline<T extends Hop>(hops: readonly T[]): (T & { sincePreviousMs: number | null })[] {
  const ordered = causalOrder(hops);
  return ordered.map((h, i) => ({ ...h, sincePreviousMs: i === 0 ? null : Date.parse(h.time) - Date.parse(ordered[i - 1]!.time) }));
}
