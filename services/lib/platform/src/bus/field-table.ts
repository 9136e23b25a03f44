/**
 * What amqplib's field-table decoder (lib/codec.js, decodeFields) would choke on, found without
 * recursion: a table or array nested deeper than `maxDepth` (amqplib recurses once per level and
 * overflows the stack near 5,000), a type tag it does not know, or a value that runs past the end of
 * its table. Pure: the bytes of one table in, a reason or undefined out.
 */

/** The nesting amqplib is allowed to decode: far above what RabbitMQ writes (x-death is 4 deep). */
export const maxTableDepth = 64;

/** Value sizes by type tag, as amqplib decodes them; 'S', 'x', 'F', 'A' carry a 4-byte length instead. */
const fixedSize: Record<string, number> = { b: 1, B: 1, t: 1, s: 2, u: 2, I: 4, i: 4, f: 4, D: 5, d: 8, l: 8, T: 8, V: 0 };

export function fieldTableProblem(table: Buffer, maxDepth = maxTableDepth): string | undefined {
  // Each open table or array: where it ends, and whether its entries have keys.
  const open: { end: number; keyed: boolean }[] = [{ end: table.length, keyed: true }];
  let pos = 0;
  for (;;) {
    const top = open.at(-1);
    if (!top) return undefined;
    if (pos === top.end) {
      open.pop();
      continue;
    }
    if (top.keyed) pos += 1 + (table[pos] ?? 0);
    if (pos >= top.end) return 'a field name runs past its table';
    const tag = String.fromCharCode(table[pos]!);
    pos += 1;
    const size = fixedSize[tag];
    if (size !== undefined) pos += size;
    else if (tag === 'S' || tag === 'x' || tag === 'F' || tag === 'A') {
      if (pos + 4 > top.end) return 'a length runs past its table';
      const length = table.readUInt32BE(pos);
      pos += 4;
      if (tag === 'F' || tag === 'A') {
        if (open.length > maxDepth) return `tables nested deeper than ${maxDepth}`;
        if (pos + length > top.end) return 'a nested table runs past its parent';
        open.push({ end: pos + length, keyed: tag === 'F' });
        continue;
      }
      pos += length;
    } else return `unknown type tag 0x${tag.charCodeAt(0).toString(16).padStart(2, '0')}`;
    if (pos > top.end) return 'a value runs past its table';
  }
}

/** A one-entry table `{ [name]: text }`, as AMQP encodes it (a long string, 'S'). */
export function encodeTextTable(name: string, text: string): Buffer {
  const key = Buffer.from(name, 'utf8');
  const value = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(1 + key.length + 1 + 4 + value.length);
  let pos = out.writeUInt8(key.length, 0);
  pos += key.copy(out, pos);
  pos = out.writeUInt8('S'.charCodeAt(0), pos);
  pos = out.writeUInt32BE(value.length, pos);
  value.copy(out, pos);
  return out;
}
