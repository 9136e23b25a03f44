import { useEffect, useState } from 'preact/hooks';
import { api, query } from './api.js';
import { shortId, time } from './format.js';
import { html } from './html.js';
import { Missing, Problem, StatusBadge } from './parts.js';

const describe = (next) => (next === undefined || next === null ? '—' : typeof next === 'string' ? next : JSON.stringify(next));

export function StuckPage({ defaultAfterS }) {
  const [afterS, setAfterS] = useState(defaultAfterS);
  const [draft, setDraft] = useState(String(defaultAfterS));
  const [result, setResult] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    api(`/api/stuck${query({ olderThanS: afterS })}`).then((r) => {
      setResult(r);
      setError(undefined);
    }, setError);
  }, [afterS]);
  return html`<section>
    <hgroup><h2>Stuck orders</h2><p>Not finished, and nothing has happened to them for a while: where each one stopped.</p></hgroup>
    <form class="filters" onSubmit=${(e) => {
      e.preventDefault();
      setAfterS(Number(draft) || defaultAfterS);
    }}>
      <fieldset role="group">
        <input name="olderThanS" type="number" min="1" value=${draft} onInput=${(e) => setDraft(e.currentTarget.value)} aria-label="Unchanged for at least (seconds)" />
        <button type="submit">Unchanged for this many seconds</button>
      </fieldset>
    </form>
    <${Problem} error=${error} />
    ${
      result
        ? html`<${Missing} problems=${result.problems} />
          <table class="striped" id="stuck">
            <thead><tr><th>Order</th><th>Status</th><th>Last change</th><th>Last message</th><th>Expected next</th><th>Parked</th></tr></thead>
            <tbody>
              ${result.items.map(
                (s) => html`<tr key=${s.order.orderId} data-order=${s.order.orderId}>
                  <td><a href=${`#/orders/${s.order.orderId}`}><code>${shortId(s.order.orderId)}</code></a></td>
                  <td><${StatusBadge} status=${s.order.status} /></td>
                  <td>${time(s.order.updatedAt)}</td>
                  <td>${s.lastEvent ? html`<code>${s.lastEvent.type}</code> <small>from ${s.lastEvent.source}, ${time(s.lastEvent.time)}</small>` : '—'}</td>
                  <td>${describe(s.expectedNext)}</td>
                  <td>${
                    s.deadLetters.length === 0
                      ? '—'
                      : s.deadLetters.map(
                          (d) =>
                            html`<div><a href=${`#/dead-letters/${d.id}`}><code>${d.queue}</code></a> <small class="error">${d.error}</small></div>`,
                        )
                  }</td>
                </tr>`,
              )}
            </tbody>
          </table>
          ${result.items.length === 0 ? html`<p><em>No order is stuck.</em></p>` : ''}`
        : html`<p aria-busy="true">Looking…</p>`
    }
  </section>`;
}
