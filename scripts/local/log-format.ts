/** Turns a service's JSON log line into one short readable line; anything else passes through. */
const colours: Record<string, string> = {
  fatal: '\x1b[31m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '',
  debug: '\x1b[2m',
  trace: '\x1b[2m',
};
const skip = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const level = String(entry.level ?? 'info');
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
    const fields = Object.entries(entry)
      .filter(([k]) => !skip.has(k))
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    return `${time} ${colours[level] ?? ''}${level.padEnd(5)}\x1b[0m ${entry.msg ?? ''} \x1b[2m${fields}\x1b[0m`;
  } catch {
    return line;
  }
}
