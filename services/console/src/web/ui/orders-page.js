import { useEffect, useRef, useState } from 'preact/hooks';
import { api, liveOrders, query } from './api.js';
import { isoFromLocal, money, shortId, statuses, time } from './format.js';
import { html } from './html.js';
import { Problem, StatusBadge } from './parts.js';

const reasons = ['out_of_stock', 'unknown_product', 'payment_declined', 'payment_mismatch', 'customer_request', 'saga_timeout'];

/** Whether a live change belongs in the list the filters show. */
function matches(order, f) {
  if (f.status && order.status !== f.status) return false;
  if (f.customerId && order.customerId !== f.customerId) return false;
  if (f.reason && order.reason !== f.reason) return false;
  const created = order.createdAt ? Date.parse(order.createdAt) : undefined;
  if (f.since && created !== undefined && created < Date.parse(isoFromLocal(f.since))) return false;
  if (f.until && created !== undefined && created > Date.parse(isoFromLocal(f.until))) return false;
  return true;
}

function Counts({ counts, onPick, picked }) {
  return html`<nav class="counts" aria-label="Orders per status">
    <ul>
      ${statuses.map(
        (s) => html`<li>
          <a href="#/orders" class=${picked === s ? 'picked' : ''} data-status=${s} onClick=${(e) => {
            e.preventDefault();
            onPick(picked === s ? '' : s);
          }}><${StatusBadge} status=${s} /> <strong data-count=${s}>${counts?.[s] ?? 0}</strong></a>
        </li>`,
      )}
    </ul>
  </nav>`;
}

function Filters({ value, onChange }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  const field = (name) => ({ name, value: draft[name] ?? '', onInput: (e) => setDraft({ ...draft, [name]: e.currentTarget.value }) });
  return html`<form class="filters" onSubmit=${(e) => {
    e.preventDefault();
    onChange({ ...draft });
  }}>
    <fieldset role="group">
      <select ...${field('status')} aria-label="Status">
        <option value="">any status</option>
        ${statuses.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <input ...${field('customerId')} placeholder="customer id" aria-label="Customer" />
      <select ...${field('reason')} aria-label="Reason">
        <option value="">any reason</option>
        ${reasons.map((r) => html`<option value=${r}>${r}</option>`)}
      </select>
      <input ...${field('since')} type="datetime-local" aria-label="Created since" title="created since" />
      <input ...${field('until')} type="datetime-local" aria-label="Created until" title="created until" />
      <button type="submit">Filter</button>
    </fieldset>
  </form>`;
}

export function OrdersPage() {
  const [filters, setFilters] = useState({});
  const [orders, setOrders] = useState([]);
  const [counts, setCounts] = useState();
  const [live, setLive] = useState('connecting');
  const [error, setError] = useState();
  const [fresh, setFresh] = useState(new Set());
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const load = async (f) => {
    try {
      const q = query({ ...f, since: isoFromLocal(f.since), until: isoFromLocal(f.until), limit: 100 });
      const [list, stats] = await Promise.all([api(`/api/orders${q}`), api('/api/orders/stats')]);
      setOrders(Array.isArray(list) ? list : list.items);
      setCounts(stats.counts);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    load(filters);
  }, [filters]);

  useEffect(() => {
    let statsTimer;
    const close = liveOrders((change) => {
      if (!matches(change, filtersRef.current)) return;
      const order = { ...change, orderId: change.orderId ?? change.id };
      setOrders((list) => [order, ...list.filter((o) => o.orderId !== order.orderId)].slice(0, 500));
      setFresh((s) => new Set(s).add(order.orderId));
      // The counts follow within a second, however many changes arrive.
      statsTimer ??= setTimeout(() => {
        statsTimer = undefined;
        api('/api/orders/stats').then((s) => setCounts(s.counts), setError);
      }, 1000);
    }, setLive);
    return () => {
      clearTimeout(statsTimer);
      close();
    };
  }, []);

  return html`<section>
    <hgroup>
      <h2>Orders</h2>
      <p><span class=${`live ${live}`} data-live=${live}>${live === 'live' ? '● live' : live}</span> · new orders and status changes appear as they happen</p>
    </hgroup>
    <${Counts} counts=${counts} picked=${filters.status} onPick=${(status) => setFilters({ ...filters, status })} />
    <${Filters} value=${filters} onChange=${setFilters} />
    <${Problem} error=${error} />
    <figure>
      <table class="striped" id="orders">
        <thead><tr><th>Order</th><th>Customer</th><th>Status</th><th>Reason</th><th>Total</th><th>Created</th><th>Updated</th></tr></thead>
        <tbody>
          ${orders.map(
            (o) => html`<tr key=${o.orderId} data-order=${o.orderId} class=${fresh.has(o.orderId) ? 'fresh' : ''}>
              <td><a href=${`#/orders/${o.orderId}`} title=${o.orderId}><code>${shortId(o.orderId)}</code></a></td>
              <td>${o.customerId ?? '—'}</td>
              <td><${StatusBadge} status=${o.status} /></td>
              <td>${o.reason ?? ''}</td>
              <td>${money(o.totalCents, o.currency)}</td>
              <td>${time(o.createdAt)}</td>
              <td>${time(o.updatedAt)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${orders.length === 0 ? html`<p><em>No orders match.</em></p>` : ''}
    </figure>
  </section>`;
}
