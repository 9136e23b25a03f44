import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { duration, money, shortId, time } from './format.js';
import { html } from './html.js';
import { Missing, Problem, StatusBadge } from './parts.js';

function OrderCard({ order }) {
  return html`<article id="order">
    <header><strong>Order <code>${order.orderId}</code></strong> <${StatusBadge} status=${order.status} /> ${order.reason ? html`<small>${order.reason}</small>` : ''}</header>
    <dl class="facts">
      <dt>Customer</dt><dd>${order.customerId} ${order.email ? html`<small>(${order.email})</small>` : ''}</dd>
      <dt>Total</dt><dd>${money(order.totalCents, order.currency)}</dd>
      <dt>Payment method</dt><dd>${order.paymentMethod ?? '—'}</dd>
      <dt>Items</dt><dd>${(order.items ?? []).map((i) => `${i.qty} × ${i.sku}`).join(', ')}</dd>
      <dt>Created</dt><dd>${time(order.createdAt)}</dd>
      <dt>Updated</dt><dd>${time(order.updatedAt)}</dd>
    </dl>
  </article>`;
}

function Saga({ saga }) {
  if (!saga) return '';
  return html`<article id="saga">
    <header><strong>Saga (orchestration)</strong></header>
    <dl class="facts">
      ${Object.entries(saga).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}</dd>`)}
    </dl>
  </article>`;
}

function Timeline({ hops }) {
  return html`<section id="timeline">
    <h3>Timeline <small>(${hops.length} messages, from the audit log)</small></h3>
    <table class="striped">
      <thead><tr><th>Time</th><th>Since previous</th><th>Kind</th><th>Message</th><th>From</th><th>Trace</th></tr></thead>
      <tbody>
        ${hops.map(
          (h) => html`<tr key=${h.id} data-type=${h.type}>
            <td>${time(h.time)}</td>
            <td class="number">${duration(h.sincePreviousMs)}</td>
            <td>${h.kind}</td>
            <td><code>${h.type}</code></td>
            <td>${h.source}</td>
            <td>${h.traceUrl ? html`<a href=${h.traceUrl} target="_blank" rel="noopener noreferrer">${shortId(h.traceId)}</a>` : h.traceId ? html`<code title=${h.traceId}>${shortId(h.traceId)}</code>` : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

function PendingOutbox({ rows }) {
  return html`<section id="outbox">
    <h3>Waiting in outboxes</h3>
    ${
      rows.length === 0
        ? html`<p><em>Nothing: every message about this order has been published.</em></p>`
        : html`<table><thead><tr><th>Service</th><th>Message</th><th>Written</th></tr></thead><tbody>
          ${rows.map((r) => html`<tr key=${r.eventId}><td>${r.service}</td><td><code>${r.type}</code></td><td>${time(r.createdAt)}</td></tr>`)}
        </tbody></table>`
    }
  </section>`;
}

export function ParkedList({ letters }) {
  if (letters.length === 0) return html`<p><em>None parked.</em></p>`;
  return html`<table class="parked"><thead><tr><th>Queue</th><th>Message</th><th>Status</th><th>Error</th><th>Failed</th></tr></thead><tbody>
    ${letters.map(
      (d) => html`<tr key=${d.id} data-dead-letter=${d.id}>
        <td>${d.queue}</td>
        <td><a href=${`#/dead-letters/${d.id}`}><code>${d.type ?? '?'}</code></a></td>
        <td>${d.status}</td>
        <td class="error">${d.error}</td>
        <td>${time(d.failedAt)}</td>
      </tr>`,
    )}
  </tbody></table>`;
}

export function XrayPage({ orderId }) {
  const [xray, setXray] = useState();
  const [error, setError] = useState();
  const load = () =>
    api(`/api/orders/${encodeURIComponent(orderId)}/xray`).then((x) => {
      setXray(x);
      setError(undefined);
    }, setError);
  useEffect(() => {
    load();
  }, [orderId]);
  if (error) return html`<${Problem} error=${error} />`;
  if (!xray) return html`<p aria-busy="true">Loading order ${orderId}…</p>`;
  return html`<section class="xray">
    <hgroup><h2>Order X-ray</h2><p>Everything every service knows about this order. <a href="#" onClick=${(e) => {
      e.preventDefault();
      load();
    }}>Refresh</a></p></hgroup>
    <${Missing} problems=${xray.problems} />
    <div class="grid"><${OrderCard} order=${xray.order} /><${Saga} saga=${xray.saga} /></div>
    <section id="dead-letters-of-order"><h3>Parked messages</h3><${ParkedList} letters=${xray.deadLetters} /></section>
    <${PendingOutbox} rows=${xray.pendingOutbox} />
    <${Timeline} hops=${xray.timeline} />
  </section>`;
}
