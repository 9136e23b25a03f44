import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { DeadLetterPage } from './dead-letter-page.js';
import { DeadLettersPage } from './dead-letters-page.js';
import { html } from './html.js';
import { OrdersPage } from './orders-page.js';
import { Problem } from './parts.js';
import { StuckPage } from './stuck-page.js';
import { XrayPage } from './xray-page.js';

/** The page the address names: #/orders, #/orders/<id>, #/stuck, #/dead-letters[?queue=…], #/dead-letters/<id>. */
function route(hash) {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = Object.fromEntries(new URLSearchParams(search));
  if (parts[0] === 'orders' && parts[1]) return { page: 'xray', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'stuck') return { page: 'stuck' };
  if (parts[0] === 'dead-letters' && parts[1]) return { page: 'dead-letter', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'dead-letters') return { page: 'dead-letters', params };
  return { page: 'orders' };
}

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

function Nav({ session, current }) {
  const link = (href, label, page) => html`<li><a href=${href} aria-current=${current === page ? 'page' : undefined}>${label}</a></li>`;
  return html`<nav class="container-fluid">
    <ul><li><strong>Orderly console</strong></li></ul>
    <ul>
      ${link('#/orders', 'Orders', 'orders')}
      ${link('#/stuck', 'Stuck', 'stuck')}
      ${link('#/dead-letters', 'Dead letters', 'dead-letters')}
      ${
        session.graphs?.length
          ? html`<li><details class="dropdown"><summary>Graphs</summary><ul dir="rtl">
            ${session.graphs.map((g) => html`<li><a href=${g.url} target="_blank" rel="noopener noreferrer">${g.title}</a></li>`)}
          </ul></details></li>`
          : ''
      }
      <li><small id="operator" title=${session.email ?? ''}>${session.operator}</small></li>
      <li><form method="post" action="/auth/logout" class="logout"><button type="submit" class="outline secondary">Sign out</button></form></li>
    </ul>
  </nav>`;
}

function App() {
  const hash = useHash();
  const [session, setSession] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    api('/api/session').then(setSession, setError);
  }, []);
  if (error) return html`<main class="container"><${Problem} error=${error} /></main>`;
  if (!session) return html`<main class="container"><p aria-busy="true">Signing in…</p></main>`;
  const r = route(hash);
  const page = {
    orders: () => html`<${OrdersPage} />`,
    xray: () => html`<${XrayPage} orderId=${r.id} />`,
    stuck: () => html`<${StuckPage} defaultAfterS=${session.stuckAfterS} />`,
    'dead-letters': () => html`<${DeadLettersPage} initial=${r.params} />`,
    'dead-letter': () => html`<${DeadLetterPage} id=${r.id} />`,
  }[r.page]();
  const current = r.page === 'xray' ? 'orders' : r.page === 'dead-letter' ? 'dead-letters' : r.page;
  return html`<${Nav} session=${session} current=${current} /><main class="container-fluid" key=${hash}>${page}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
