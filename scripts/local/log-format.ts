import { prettyFactory } from 'pino-pretty';

/** The services' JSON log lines as short readable ones (pino-pretty); anything else passes through. */
const pretty = prettyFactory({
  colorize: true,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss',
  // The prefix already names the service; pid and hostname say nothing on one machine.
  ignore: 'pid,hostname,service',
});

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  return pretty(line).trimEnd();
}
