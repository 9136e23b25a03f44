import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { time } from './format.js';
import { html } from './html.js';
import { Problem } from './parts.js';

/** What the consumer would do after such a failure, in the operator's words. */
const nextWords = {
  parked: 'A redrive would be parked again at once.',
  retried: 'A redrive would be retried with back-off, then parked if it keeps failing.',
  waits: 'A redrive would wait for the message it needs, without spending attempts.',
};

function DryRun({ answer }) {
  if (!answer) return '';
  const ok = answer.outcome === 'would-succeed';
  return html`<article id="dry-run" data-outcome=${answer.outcome} class=${ok ? 'good' : 'bad'}>
    <header><strong>Dry run:</strong> ${
      ok
        ? `would succeed${answer.emitted?.length ? ` and emit ${answer.emitted.map((e) => e.type).join(', ')}` : ' and emit nothing'}`
        : answer.outcome === 'already-handled'
          ? 'already handled: a redrive would be acknowledged as a duplicate'
          : `still fails: ${answer.error ?? 'unknown error'}`
    }</header>
    ${answer.next ? html`<p id="dry-run-next"><small>${nextWords[answer.next] ?? answer.next}</small></p>` : ''}
    ${
      answer.emitted?.length
        ? html`<details><summary>What it would emit</summary><pre>${JSON.stringify(answer.emitted, null, 2)}</pre></details>`
        : ''
    }
    ${answer.skipped?.length ? html`<p><small>Skipped in a dry run: ${answer.skipped.join(', ')}</small></p>` : ''}
    <footer><small>Run in a transaction that was rolled back: nothing changed.</small></footer>
  </article>`;
}

export function DeadLetterPage({ id }) {
  const [letter, setLetter] = useState();
  const [dry, setDry] = useState();
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState();
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const load = () => api(`/api/dead-letters/${encodeURIComponent(id)}`).then(setLetter, setError);
  useEffect(() => {
    load();
  }, [id]);
  const run = async (fn) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (!letter) return error ? html`<${Problem} error=${error} />` : html`<p aria-busy="true">Loading…</p>`;
  const parked = letter.status === 'parked';
  return html`<section class="dead-letter">
    <hgroup><h2>Parked message</h2><p><code>${letter.type}</code> in <code>${letter.queue}</code>, ${letter.status}</p></hgroup>
    <dl class="facts">
      <dt>Error</dt><dd class="error" id="dead-letter-error">${letter.error}</dd>
      <dt>Order</dt><dd>${letter.orderId ? html`<a href=${`#/orders/${letter.orderId}`}>${letter.orderId}</a>` : '—'}</dd>
      <dt>Attempts</dt><dd>${letter.attempts}</dd>
      <dt>Redrives</dt><dd>${letter.redrives ?? 0}</dd>
      <dt>Published by</dt><dd>${letter.publishedBy ?? '—'}</dd>
      <dt>Failed</dt><dd>${time(letter.failedAt)}</dd>
      ${letter.resolvedBy ? html`<dt>Resolved</dt><dd>${letter.status} by ${letter.resolvedBy}, ${time(letter.resolvedAt)}${letter.reason ? `: ${letter.reason}` : ''}</dd>` : ''}
    </dl>
    <form class="actions" onSubmit=${(e) => e.preventDefault()}>
      <fieldset role="group">
        <button type="button" id="dry-run-button" disabled=${busy} class="secondary" onClick=${() =>
          run(async () =>
            setDry(await api(`/api/dead-letters/${encodeURIComponent(id)}/dry-run`, { method: 'POST', body: {} })),
          )}>Dry run</button>
        <input name="reason" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} placeholder="reason (required to discard)" aria-label="Reason" />
        <button type="button" id="redrive-one" disabled=${busy || !parked} onClick=${() =>
          run(async () => {
            const r = await api('/api/dead-letters/redrive', { method: 'POST', body: { ids: [id], ...(reason ? { reason } : {}) } });
            setOutcome(`${r.redriven} redriven`);
            await load();
          })}>Redrive</button>
        <button type="button" id="discard-one" class="contrast" disabled=${busy || !parked || !reason.trim()} onClick=${() =>
          run(async () => {
            const r = await api('/api/dead-letters/discard', { method: 'POST', body: { ids: [id], reason } });
            setOutcome(`${r.discarded} discarded`);
            await load();
          })}>Discard</button>
      </fieldset>
    </form>
    ${outcome ? html`<p role="status">${outcome}</p>` : ''}
    <${Problem} error=${error} />
    <${DryRun} answer=${dry} />
    <h3>Headers</h3>
    <table id="dead-letter-headers"><tbody>
      ${Object.entries(letter.headers ?? {}).map(([k, v]) => html`<tr key=${k}><th><code>${k}</code></th><td><code>${typeof v === 'string' ? v : JSON.stringify(v)}</code></td></tr>`)}
    </tbody></table>
    <h3>Body ${letter.bodyEncoding === 'base64' ? html`<small>(base64: not UTF-8 text)</small>` : ''}</h3>
    <pre id="dead-letter-body">${prettyBody(letter.body)}</pre>
  </section>`;
}

function prettyBody(body) {
  if (typeof body !== 'string') return JSON.stringify(body, null, 2);
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
