/**
 * `npm run traces`: a terminal trace viewer for the local stack. Receives OTLP/HTTP JSON on
 * 127.0.0.1:4318 and prints each trace as a tree once it has been quiet for two seconds. Start the
 * stack with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/json.
 */
import { OtlpReceiver, type ReceivedSpan } from '@orderly/testkit';

const receiver = await OtlpReceiver.start(Number(process.env.TRACES_PORT ?? 4318));
console.log(`▸ receiving traces on ${receiver.endpoint} (OTLP/HTTP JSON); Ctrl-C stops`);
const printed = new Set<string>();
const lastSeen = new Map<string, number>();
let seen = 0;

function tree(spans: ReceivedSpan[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, ReceivedSpan[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  // BigInt nanoseconds: Math.min does not take them.
  let t0 = spans[0]!.startNs;
  for (const s of spans) if (s.startNs < t0) t0 = s.startNs;
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => (a.startNs < b.startNs ? -1 : 1))) {
      const at = Number(s.startNs - t0) / 1e6;
      const took = Number(s.endNs - s.startNs) / 1e6;
      if (!s.name.startsWith('pg')) {
        lines.push(
          `${'  '.repeat(depth)}${s.service.replace('orderly-', '').padEnd(12)} ${s.name}  \x1b[2m+${at.toFixed(1)} ms, ${took.toFixed(1)} ms\x1b[0m`,
        );
      }
      walk(s.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

setInterval(() => {
  for (const s of receiver.spans.slice(seen)) lastSeen.set(s.traceId, Date.now());
  seen = receiver.spans.length;
  for (const [traceId, at] of lastSeen) {
    if (printed.has(traceId) || Date.now() - at < 2000) continue;
    printed.add(traceId);
    const spans = receiver.trace(traceId);
    console.log(`\n\x1b[1mtrace ${traceId}\x1b[0m (${spans.length} spans)\n${tree(spans).join('\n')}`);
  }
}, 500);
process.on('SIGINT', () => process.exit(0));
