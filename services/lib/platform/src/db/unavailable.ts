/**
 * Whether an error says the database could not be reached — down, restarting, recovering after a
 * crash, the connection cut — rather than anything about the work being done. Such a failure is
 * not the message's fault, and no number of attempts says it never will succeed (decision 0010).
 */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// admin_shutdown, crash_shutdown, cannot_connect_now (starting up, in recovery), too_many_connections;
// and SQLSTATE class 08, connection exceptions.
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300']);
const messages =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed/i;

export function databaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 5) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || serverCodes.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (messages.test(err.message)) return true;
  if (err instanceof AggregateError && err.errors.some((e) => databaseUnavailable(e, depth + 1))) return true;
  return databaseUnavailable(err.cause, depth + 1);
}
