/**
 * `npm run dlq -- list|show|dry-run|redrive|discard`: the console's dead letters from a terminal,
 * for scripts and runbooks (decision 0011). It calls the console's API as an operator:
 *
 *   npm run dlq -- list --queue payment --error timeout        # newest first; --cursor for the next page
 *   npm run dlq -- show <id>                                   # headers and body
 *   npm run dlq -- dry-run <id>                                # what its service would do with it now
 *   npm run dlq -- redrive <id>… | --queue payment [--order …] | --all   [--reason "gateway fixed"]
 *   npm run dlq -- discard <id>… | <filter> | --all --reason "duplicate of a refunded order"
 *
 * The console is --url, else CONSOLE_URL, else the local one (127.0.0.1:8087). The token is
 * --token, else ORDERLY_TOKEN, else the local demo provider's operator token (npm start runs it).
 * Exits 0 when done, 1 when the console refused or failed, 2 on a usage error, 3 when a redrive was
 * accepted but some copies are still to be sent by the console.
 */
import { parseArgs } from 'node:util';
import { consolePort } from '@orderly/events';
import { type Call, ConsoleError, consoleClient } from './console-client.ts';
import { type DeadLetterRow, detailText, dryRunText, listTable } from './render.ts';

const usage = `usage: npm run -s dlq -- <command> [options]
  list [filter] [--status parked|redriving|redriven|discarded] [--limit n] [--cursor c]
  show <id>
  dry-run <id>
  redrive <id>… | [filter] | --all   [--reason text]
  discard <id>… | [filter] | --all   --reason text
filter: --queue q --type t --order <order id> --error <text in the error> --since <ISO time> --until <ISO time>
common: --url <console> --token <operator token> --json`;

class UsageError extends Error {}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    queue: { type: 'string' },
    type: { type: 'string' },
    order: { type: 'string' },
    error: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
    all: { type: 'boolean', default: false },
    reason: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

/** The filter flags as the API names them (only those given). */
function filterOf(): Record<string, string> {
  const named = {
    queue: values.queue,
    type: values.type,
    orderId: values.order,
    q: values.error,
    since: values.since,
    until: values.until,
  };
  return Object.fromEntries(Object.entries(named).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

/** Ids, or a filter, or --all: an action never selects everything by accident. */
function selectionOf(ids: string[]): { ids: string[] } | { filter: Record<string, string> } {
  const filter = filterOf();
  const ways = [ids.length > 0, Object.keys(filter).length > 0, values.all].filter(Boolean).length;
  if (ways !== 1) throw new UsageError('name the dead letters: ids, or filter options, or --all (one of them)');
  return ids.length > 0 ? { ids } : { filter };
}

async function tokenOf(): Promise<string> {
  const given = values.token ?? process.env.ORDERLY_TOKEN;
  if (given) return given;
  const { localTokens } = await import('../local/identity.ts');
  return (await localTokens()).operatorToken();
}

const print = (text: string, json: unknown) => console.log(values.json ? JSON.stringify(json, null, 2) : text);

async function run(call: Call, command: string, args: string[]): Promise<number> {
  const one = () => {
    if (args.length !== 1) throw new UsageError(`${command} takes one dead letter id`);
    return encodeURIComponent(args[0]!);
  };
  switch (command) {
    case 'list': {
      const query = new URLSearchParams({
        ...filterOf(),
        ...(values.status ? { status: values.status } : {}),
        ...(values.limit ? { limit: values.limit } : {}),
        ...(values.cursor ? { cursor: values.cursor } : {}),
      });
      const { body } = await call<{ items: DeadLetterRow[]; next?: string }>('GET', `/api/dead-letters?${query}`);
      print(`${listTable(body.items)}${body.next ? `\nmore: --cursor ${body.next}` : ''}`, body);
      return 0;
    }
    case 'show': {
      const { body } = await call<Record<string, unknown>>('GET', `/api/dead-letters/${one()}`);
      print(detailText(body), body);
      return 0;
    }
    case 'dry-run': {
      const { body } = await call<Parameters<typeof dryRunText>[0]>('POST', `/api/dead-letters/${one()}/dry-run`);
      print(dryRunText(body), body);
      return 0;
    }
    case 'redrive': {
      const reason = values.reason === undefined ? {} : { reason: values.reason };
      const { body } = await call<{ redriven: number; pending?: number }>('POST', '/api/dead-letters/redrive', {
        ...selectionOf(args),
        ...reason,
      });
      const pending = body.pending ?? 0;
      print(
        `${body.redriven} redriven${pending ? `; ${pending} recorded but not confirmed by the broker: the console sends them again` : ''}`,
        body,
      );
      return pending > 0 ? 3 : 0;
    }
    case 'discard': {
      if (!values.reason) throw new UsageError('discard needs --reason');
      const { body } = await call<{ discarded: number }>('POST', '/api/dead-letters/discard', {
        ...selectionOf(args),
        reason: values.reason,
      });
      print(`${body.discarded} discarded`, body);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

const commands = ['list', 'show', 'dry-run', 'redrive', 'discard'];
const [command = '', ...args] = positionals;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
try {
  if (!commands.includes(command)) throw new UsageError(command ? `unknown command ${command}` : 'no command');
  const baseUrl = values.url ?? process.env.CONSOLE_URL ?? `http://127.0.0.1:${consolePort}`;
  process.exitCode = await run(consoleClient(baseUrl, await tokenOf()), command, args);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`dlq: ${err.message}\n${usage}`);
    process.exitCode = 2;
  } else {
    console.error(`dlq: ${err instanceof ConsoleError ? err.message : (err as Error).message}`);
    process.exitCode = 1;
  }
}
