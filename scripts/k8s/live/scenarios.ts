import { type OrderView, type OutcomeScenario, outcomeMatches, outcomeScenarios, scenarioOrder, settledStatuses } from '@orderly/testkit';

export type { OrderView };

/** The README's decided scenarios (shared with the demo and the e2e suite), as the live tool places them. */
export interface Scenario {
  name: string;
  body: ReturnType<typeof scenarioOrder>;
  expect: OutcomeScenario['expect'];
  scenario: OutcomeScenario;
}

export const scenarios: Scenario[] = Object.values(outcomeScenarios).map((s: OutcomeScenario, i) => ({
  name: s.title,
  body: scenarioOrder(s, { customerId: `cust-live-${i + 1}`, email: `live${i + 1}@example.com` }),
  expect: s.expect,
  scenario: s,
}));

/** Statuses an order does not leave by itself: polling may stop there. */
const settled = new Set(settledStatuses);

export interface ScenarioResult {
  name: string;
  passed: boolean;
  detail: string;
  /** Statuses seen while polling, in order, without repeats. */
  path: string[];
}

/**
 * The verdict on one scenario from the sequence of GET /orders/:id answers. CONFIRMED counts as
 * reached when the order has moved on to SHIPPED or DELIVERED (shipping may be quick).
 */
export function judge(s: Scenario, polled: OrderView[]): ScenarioResult {
  const path = polled.map((o) => o.status).filter((st, i, all) => i === 0 || all[i - 1] !== st);
  const last = polled.at(-1);
  if (!last) return { name: s.name, passed: false, detail: 'the order was never read back', path };
  if (!settled.has(last.status)) return { name: s.name, passed: false, detail: `still ${last.status} when polling gave up`, path };
  const passed = outcomeMatches(s.scenario, last);
  const got = `${last.status}${last.reason ? ` (${last.reason})` : ''}`;
  const want = `${s.expect.status}${s.expect.reason ? ` (${s.expect.reason})` : ''}`;
  return { name: s.name, passed, detail: passed ? got : `expected ${want}, got ${got}`, path };
}

export const isSettled = (o: OrderView) => settled.has(o.status);
