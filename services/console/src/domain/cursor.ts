import { z } from 'zod';

/** Where a page of a newest-first list ended. */
export interface Position {
  failedAt: string;
  id: string;
}

const position = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

/** An opaque cursor for the next page: the last row's time and id. */
export const encodeCursor = (p: Position) => Buffer.from(JSON.stringify([p.failedAt, p.id])).toString('base64url');

/** The position a cursor names, or undefined for anything that is not a cursor this service made. */
export function decodeCursor(cursor: string): Position | undefined {
  try {
    const parsed = position.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { failedAt: parsed.data[0], id: parsed.data[1] } : undefined;
  } catch {
    return undefined;
  }
}
