/** Pure reservation rules: all lines or none, one demand per SKU, prices fixed here. */

export interface Line {
  sku: string;
  qty: number;
}

export interface StockRow {
  sku: string;
  priceCents: number;
  currency: string;
  available: number;
}

export interface PricedLine extends Line {
  unitPriceCents: number;
}

export type ReservationPlan =
  | { ok: true; lines: PricedLine[]; totalCents: number; currency: string }
  | { ok: false; reason: 'unknown_product' | 'out_of_stock'; skus: string[] };

/** The same SKU on two lines is one demand: summed, so stock can never be over-committed. */
export function mergeLines(lines: readonly Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const { sku, qty } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + qty);
  return [...bySku].map(([sku, qty]) => ({ sku, qty })).sort((a, b) => a.sku.localeCompare(b.sku));
}

export function planReservation(lines: readonly Line[], stock: ReadonlyMap<string, StockRow>): ReservationPlan {
  // The event schema already guarantees these; the rule holds on its own all the same.
  if (lines.length === 0 || lines.some((l) => !Number.isInteger(l.qty) || l.qty <= 0)) {
    throw new RangeError('a reservation needs at least one line, each with a positive whole quantity');
  }
  const demand = mergeLines(lines);
  const unknown = demand.filter((l) => !stock.has(l.sku)).map((l) => l.sku);
  if (unknown.length > 0) return { ok: false, reason: 'unknown_product', skus: unknown };
  const short = demand.filter((l) => stock.get(l.sku)!.available < l.qty).map((l) => l.sku);
  if (short.length > 0) return { ok: false, reason: 'out_of_stock', skus: short };
  const priced = demand.map((l) => ({ ...l, unitPriceCents: stock.get(l.sku)!.priceCents }));
  return {
    ok: true,
    lines: priced,
    totalCents: priced.reduce((sum, l) => sum + l.qty * l.unitPriceCents, 0),
    currency: stock.get(demand[0]!.sku)!.currency,
  };
}

export const demoCatalogue: readonly (Omit<StockRow, 'currency'> & { name: string })[] = [
  { sku: 'TSHIRT-BLK-M', name: 'T-shirt, black, M', priceCents: 1999, available: 100 },
  { sku: 'TSHIRT-GRY-S', name: 'T-shirt, grey, S', priceCents: 1999, available: 5 },
  { sku: 'LAPTOP-123', name: 'Laptop 13"', priceCents: 129_900, available: 10 },
  { sku: 'BOOK-ALICE', name: "Alice's Adventures in Wonderland", priceCents: 1299, available: 50 },
];
