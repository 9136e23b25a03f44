type Doc = {
  info: { title: string; version: string; description?: string };
  channels: Record<string, { address: string; title?: string; bindings?: { amqp?: { exchange?: { name: string; type: string } } } }>;
  operations: Record<string, { action: string; title?: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { name: string; payload: { properties: { data: unknown } } }> };
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const anchor = (name: string) => `m-${name.replace(/[^A-Za-z0-9]+/g, '-')}`;

/**
 * The AsyncAPI document as one static page a person can read: per message, its exchange and
 * routing key, who sends and who receives it, and its data schema. No script, no network: the
 * AsyncAPI HTML generator fetches a browser and templates, which this project's builds cannot.
 */
export function asyncApiHtml(doc: Doc): string {
  const rows = Object.entries(doc.channels).map(([id, channel]) => {
    const ops = Object.values(doc.operations).filter((op) => op.channel.$ref === `#/channels/${id}`);
    const who = (action: string) =>
      ops
        .filter((o) => o.action === action)
        .map((o) => escapeHtml(o.title ?? ''))
        .join('<br>') || '—';
    const message = Object.values(doc.components.messages).find((m) => id.endsWith(m.name.replace(/[^A-Za-z0-9]+/g, '_')));
    const exchange = channel.bindings?.amqp?.exchange;
    return { id, channel, message, exchange, senders: who('send'), receivers: who('receive') };
  });
  const table = rows
    .map(
      (r) =>
        `<tr><td><a href="#${anchor(r.message?.name ?? r.id)}">${escapeHtml(r.message?.name ?? r.id)}</a></td><td>${escapeHtml(r.exchange ? `${r.exchange.name} (${r.exchange.type})` : '')}</td><td><code>${escapeHtml(r.channel.address)}</code></td><td>${r.senders}</td><td>${r.receivers}</td></tr>`,
    )
    .join('\n');
  const schemas = rows
    .filter((r) => r.message)
    .map(
      (r) =>
        `<section id="${anchor(r.message!.name)}"><h3>${escapeHtml(r.message!.name)}</h3><pre>${escapeHtml(JSON.stringify(r.message!.payload.properties.data, null, 2))}</pre></section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style>
</head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description ?? '')}</p>
<p>Every message is a CloudEvents 1.0 envelope (<code>application/cloudevents+json</code>); below is the schema of its <code>data</code>. The machine-readable document is <a href="asyncapi.json">asyncapi.json</a>.</p>
<h2>Messages</h2>
<table><thead><tr><th>Type</th><th>Exchange</th><th>Routing key</th><th>Sent by</th><th>Received by</th></tr></thead><tbody>
${table}
</tbody></table>
<h2>Data schemas</h2>
${schemas}
</body></html>
`;
}
