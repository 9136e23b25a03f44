import type { Socket } from 'node:net';
import { FrameGuard } from './frame-guard.js';

const guarded = new WeakSet<object>();

/**
 * Puts a FrameGuard between a connection's socket and amqplib, which reads its frames with
 * `socket.read()` on 'readable' (lib/connection.js, recvFrame): every read returns the bytes the
 * guard lets through. amqplib has no public hook for incoming bytes, and its decoder is captured
 * at load time (lib/frame.js), so this wrapper on the socket it already owns is the narrowest
 * seam; test/header-bomb.test.ts fails if an amqplib upgrade reads the socket another way.
 *
 * Installed on 'connect', after the handshake: the broker sends nothing unasked in between, so
 * the guard starts on a frame boundary.
 */
export function guardReads(socket: Socket | undefined, onReplaced: (reason: string) => void): boolean {
  if (!socket || guarded.has(socket)) return false;
  guarded.add(socket);
  const guard = new FrameGuard(onReplaced);
  const read = socket.read.bind(socket);
  socket.read = ((size?: number) => {
    if (size !== undefined) return read(size); // amqplib never asks for a size; nothing to check then
    const parts: Buffer[] = [];
    for (let chunk = read() as Buffer | null; chunk !== null; chunk = read() as Buffer | null) {
      const passed = guard.push(chunk);
      if (passed.length > 0) parts.push(passed);
    }
    // null, as an empty socket says: amqplib waits for the next 'readable' (a held frame completes then).
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }) as Socket['read'];
  return true;
}
