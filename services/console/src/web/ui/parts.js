import { html } from './html.js';

/** An error from the API, as the operator should read it. */
export function Problem({ error }) {
  if (!error) return '';
  return html`<article class="problem" role="alert"><strong>${error.problem?.title ?? 'Error'}</strong> ${error.message}</article>`;
}

/** Parts of a page some service could not give (the rest is still shown). */
export function Missing({ problems }) {
  if (!problems?.length) return '';
  return html`<article class="problem" role="status"><strong>Incomplete:</strong> ${problems.join('; ')}</article>`;
}

export function StatusBadge({ status }) {
  return html`<mark class=${`status status-${String(status).toLowerCase()}`} data-status=${status}>${status}</mark>`;
}
