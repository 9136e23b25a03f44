import { useEffect, useState } from 'preact/hooks';
import { api, query } from './api.js';
import { isoFromLocal, shortId, time } from './format.js';
import { html } from './html.js';
import { Problem } from './parts.js';

const emptySearch = { queue: '', type: '', orderId: '', q: '', since: '', until: '', status: 'parked' };

/** The search as the API takes it: only the fields set, times with their zone. */
function filterOf(s) {
  const f = { queue: s.queue, type: s.type, orderId: s.orderId, q: s.q, since: isoFromLocal(s.since), until: isoFromLocal(s.until) };
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v));
}

function SearchForm({ value, onSearch }) {
  const [draft, setDraft] = useState(value);
  const field = (name) => ({ name, value: draft[name], onInput: (e) => setDraft({ ...draft, [name]: e.currentTarget.value }) });
  return html`<form class="filters" id="dead-letter-search" onSubmit=${(e) => {
    e.preventDefault();
    onSearch({ ...draft });
  }}>
    <div class="grid">
      <input ...${field('queue')} placeholder="queue (payment, order, …)" aria-label="Queue" />
      <input ...${field('type')} placeholder="message type" aria-label="Type" />
      <input ...${field('orderId')} placeholder="order id" aria-label="Order" />
      <input ...${field('q')} placeholder="error contains…" aria-label="Error text" />
    </div>
    <div class="grid">
      <label>Failed since <input ...${field('since')} type="datetime-local" /></label>
      <label>Failed until <input ...${field('until')} type="datetime-local" /></label>
      <label>Status <select ...${field('status')}>
        ${['parked', 'redriving', 'redriven', 'discarded', ''].map((s) => html`<option value=${s}>${s || 'any'}</option>`)}
      </select></label>
      <div><button type="submit" id="search">Search</button></div>
    </div>
  </form>`;
}

function Actions({ selected, search, onDone }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState();
  const [error, setError] = useState();
  const act = async (path, body, say) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api(path, { method: 'POST', body });
      setOutcome(say(r));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const ids = [...selected];
  const target = ids.length > 0 ? { ids } : { filter: filterOf(search) };
  const many = ids.length > 0 ? `${ids.length} selected` : 'all matching the search';
  return html`<form class="actions" onSubmit=${(e) => e.preventDefault()}>
    <fieldset role="group">
      <input name="reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} placeholder="reason (required to discard)" aria-label="Reason" />
      <button type="button" id="redrive" disabled=${busy} onClick=${() =>
        act(
          '/api/dead-letters/redrive',
          { ...target, ...(reason ? { reason } : {}) },
          (r) => `${r.redriven} redriven`,
        )}>Redrive ${many}</button>
      <button type="button" id="discard" class="secondary" disabled=${busy || !reason.trim()} onClick=${() =>
        act('/api/dead-letters/discard', { ...target, reason }, (r) => `${r.discarded} discarded`)}>Discard ${many}</button>
    </fieldset>
    ${outcome ? html`<p role="status" id="action-outcome">${outcome}</p>` : ''}
    <${Problem} error=${error} />
  </form>`;
}

export function DeadLettersPage({ initial }) {
  const [search, setSearch] = useState({ ...emptySearch, ...initial });
  const [page, setPage] = useState();
  const [selected, setSelected] = useState(new Set());
  const [error, setError] = useState();
  const load = (s = search, cursor) =>
    api(`/api/dead-letters${query({ ...filterOf(s), status: s.status, limit: 100, cursor })}`).then((r) => {
      setPage((p) => (cursor && p ? { items: [...p.items, ...r.items], next: r.next } : r));
      setError(undefined);
    }, setError);
  useEffect(() => {
    setSelected(new Set());
    load(search);
  }, [search]);
  const toggle = (id) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return html`<section>
    <hgroup><h2>Dead letters</h2><p>Every message parked after its retries, searchable without consuming it.</p></hgroup>
    <${SearchForm} value=${search} onSearch=${setSearch} />
    <${Problem} error=${error} />
    <${Actions} selected=${selected} search=${search} onDone=${() => {
      setSelected(new Set());
      load(search);
    }} />
    ${
      page
        ? html`<table class="striped" id="dead-letters">
            <thead><tr><th></th><th>Failed</th><th>Queue</th><th>Message</th><th>Order</th><th>Error</th><th>Attempts</th><th>Redrives</th><th>Status</th></tr></thead>
            <tbody>
              ${page.items.map(
                (d) => html`<tr key=${d.id} data-dead-letter=${d.id}>
                  <td><input type="checkbox" aria-label="select" checked=${selected.has(d.id)} onChange=${() => toggle(d.id)} /></td>
                  <td>${time(d.failedAt)}</td>
                  <td>${d.queue}</td>
                  <td><a href=${`#/dead-letters/${d.id}`}><code>${d.type ?? '?'}</code></a></td>
                  <td>${d.orderId ? html`<a href=${`#/orders/${d.orderId}`}><code>${shortId(d.orderId)}</code></a>` : '—'}</td>
                  <td class="error">${d.error}</td>
                  <td class="number">${d.attempts ?? ''}</td>
                  <td class="number">${d.redrives ?? 0}</td>
                  <td>${d.status}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          <p><span id="dead-letter-count">${page.items.length}</span> shown${
            page.next
              ? html` · <a href="#" onClick=${(e) => {
                  e.preventDefault();
                  load(search, page.next);
                }}>more</a>`
              : ''
          }</p>`
        : html`<p aria-busy="true">Searching…</p>`
    }
  </section>`;
}
