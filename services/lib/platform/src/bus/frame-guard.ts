import { orderlyHeaders } from '@orderly/events';
import { encodeTextTable, fieldTableProblem, maxTableDepth } from './field-table.js';

// AMQP 0-9-1 framing: type (1), channel (2), payload size (4), payload, frame-end 0xCE.
const frameHeaderBytes = 7;
const frameEnd = 0xce;
const headerFrame = 2;
// A content header's payload: class (2), weight (2), body size (8), property flags (2), properties.
const propertiesAt = 14;
const flag = { contentType: 0x8000, contentEncoding: 0x4000, headers: 0x2000, more: 0x0001 } as const;

/**
 * Sits between the broker's bytes and amqplib's parser. Every content header frame whose headers
 * table amqplib could not decode (fieldTableProblem: a header bomb nested thousands deep, an unknown
 * type tag, a length past its end) gets that table replaced by `{ x-orderly-undecodable: <reason> }`
 * before amqplib sees it, so the message arrives with its body and other properties and is parked
 * like any malformed message — instead of amqplib throwing, which closes the whole connection and
 * returns the message to the head of its queue, for ever. Everything else passes through
 * untouched, without a copy: only header frames are held until complete, to be checked.
 *
 * Pure (bytes in, bytes out); bus/guarded-reads.ts puts it on a connection's socket.
 */
export class FrameGuard {
  /** Bytes of a frame that is not complete yet (a header frame, or fewer bytes than a frame header). */
  #held: Buffer = Buffer.alloc(0);
  /** Bytes of the current non-header frame still to pass through as they come. */
  #passing = 0;
  /** Set when the stream no longer looks like AMQP frames: everything passes, amqplib reports it. */
  #lost = false;
  /** Header tables replaced so far. */
  replaced = 0;

  constructor(
    private readonly onReplaced: (reason: string) => void = () => {},
    private readonly maxDepth = maxTableDepth,
  ) {}

  /** The bytes to hand to amqplib for this chunk (possibly none yet). */
  push(chunk: Buffer): Buffer {
    if (this.#lost) return chunk;
    const data = this.#held.length > 0 ? Buffer.concat([this.#held, chunk]) : chunk;
    this.#held = Buffer.alloc(0);
    const out: Buffer[] = [];
    let from = 0; // start of the bytes not yet put in out
    let pos = 0;
    while (pos < data.length) {
      if (this.#passing > 0) {
        const n = Math.min(this.#passing, data.length - pos);
        this.#passing -= n;
        pos += n;
        continue;
      }
      if (data.length - pos < frameHeaderBytes) break;
      const type = data[pos]!;
      const total = frameHeaderBytes + data.readUInt32BE(pos + 3) + 1;
      if (type < 1 || type > 8) {
        this.#lost = true;
        pos = data.length;
        break;
      }
      if (type !== headerFrame) {
        this.#passing = total;
        continue;
      }
      if (data.length - pos < total) break;
      const checked = this.#check(data.subarray(pos, pos + total));
      if (checked) {
        out.push(data.subarray(from, pos), checked);
        from = pos + total;
      }
      pos += total;
    }
    if (pos < data.length) this.#held = Buffer.from(data.subarray(pos));
    if (out.length === 0) return data.subarray(0, pos);
    out.push(data.subarray(from, pos));
    return Buffer.concat(out);
  }

  /** A replacement for a header frame whose headers table amqplib cannot decode; undefined: it is fine. */
  #check(frame: Buffer): Buffer | undefined {
    const payload = frame.subarray(frameHeaderBytes, frame.length - 1);
    if (frame[frame.length - 1] !== frameEnd || payload.length < propertiesAt) return undefined;
    const flags = payload.readUInt16BE(12);
    // A second flags word (more than 15 properties) is not Basic's; amqplib does not read it either.
    if (!(flags & flag.headers) || flags & flag.more) return undefined;
    let at = propertiesAt;
    if (flags & flag.contentType) at += 1 + payload[at]!;
    if (flags & flag.contentEncoding) at += 1 + (payload[at] ?? 0);
    if (at + 4 > payload.length) return undefined;
    const length = payload.readUInt32BE(at);
    if (at + 4 + length > payload.length) return undefined;
    const reason = fieldTableProblem(payload.subarray(at + 4, at + 4 + length), this.maxDepth);
    if (!reason) return undefined;
    this.replaced += 1;
    this.onReplaced(reason);
    const table = encodeTextTable(orderlyHeaders.undecodable, `headers not decodable: ${reason}`);
    const size = at + 4 + table.length + (payload.length - at - 4 - length);
    const out = Buffer.alloc(frameHeaderBytes + size + 1);
    frame.copy(out, 0, 0, 3); // type and channel
    out.writeUInt32BE(size, 3);
    let pos = frameHeaderBytes;
    pos += payload.copy(out, pos, 0, at);
    pos = out.writeUInt32BE(table.length, pos);
    pos += table.copy(out, pos);
    pos += payload.copy(out, pos, at + 4 + length);
    out[pos] = frameEnd;
    return out;
  }
}
