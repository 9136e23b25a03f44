// How times, durations and money read on every page.

// The order service's statuses, copied (the browser cannot import them); test/order-statuses.test.ts ties them.
export const statuses = ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { hour12: false });
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '−' : '+';
  if (abs < 1000) return `${sign}${abs} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  return `${sign}${(abs / 60_000).toFixed(1)} min`;
}

export function money(cents, currency) {
  if (cents === undefined || cents === null) return '—';
  return `${(Number(cents) / 100).toFixed(2)} ${currency ?? ''}`.trim();
}

export const shortId = (id) => (id ? String(id).slice(0, 8) : '—');

/** A datetime-local value (local time, no zone) as ISO 8601 with the zone, for the API. */
export function isoFromLocal(value) {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
