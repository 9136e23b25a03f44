import type { OperationDoc } from '@orderly/platform';
import { ordersQuery, stuckQuery } from '../web/api-routes.js';
import { orderCounts, ordersPage, sessionView, stuckView, xrayView } from '../web/views.js';

const page = (description: string) => ({ description, types: ['text/html; charset=utf-8'] });
// koa writes a short "Redirecting to …" body: HTML to a browser, plain text to anyone else.
const redirect = (description: string) => ({
  description,
  headers: { Location: 'Where to go' },
  types: ['text/html; charset=utf-8', 'text/plain; charset=utf-8'],
});
const asset = { description: 'The file', types: ['text/javascript; charset=utf-8', 'text/css; charset=utf-8'] };

/**
 * The console's own pages, sign-in and the JSON its page reads. The JSON is described by the
 * schemas the console reads the services' answers through (web/views.ts): every field, no more.
 * The sign-in's outcomes other than a redirect are small HTML pages (auth/notice-page.ts).
 */
export const consoleWebOperations: Record<string, OperationDoc> = {
  'GET /auth/login': {
    summary: 'Start signing in (OpenID Connect)',
    responses: {
      303: redirect("To the identity provider's login page (or to this page on the console's public URL)"),
      503: page('The identity provider does not answer'),
    },
  },
  'GET /auth/callback': {
    summary: "The identity provider's answer",
    responses: {
      303: redirect('Signed in: back to the page asked for'),
      400: page('The sign-in expired, was started in another browser, or the provider did not complete it'),
      403: page('Operators only: the account is not an operator, and no session was made'),
      502: page('The provider issued a token the services would refuse (the configuration disagrees)'),
    },
  },
  'POST /auth/logout': {
    summary: 'Sign out',
    responses: { 200: page('Signed out'), 403: page('Refused: a sign-out must come from the console itself') },
  },
  'GET /': {
    summary: 'The console page',
    responses: { 200: page('The page'), 303: redirect('No session: to sign in (a browser without a bearer token)') },
  },
  'GET /ui/{file}': { summary: "The page's scripts and styles", responses: { 200: asset } },
  'GET /vendor/{file}': { summary: "The page's libraries", responses: { 200: asset } },
  'GET /api/session': {
    summary: 'Who is signed in',
    responses: { 200: { description: 'The session', schema: sessionView } },
  },
  'GET /api/orders': {
    summary: 'Orders, filtered, a page at a time',
    query: ordersQuery,
    responses: { 200: { description: 'A page, newest first', schema: ordersPage } },
  },
  'GET /api/orders/stats': {
    summary: 'Orders per status',
    responses: { 200: { description: 'Counts per status', schema: orderCounts } },
  },
  'GET /api/orders/{id}/xray': {
    summary: "Everything about an order's journey",
    responses: { 200: { description: 'The x-ray', schema: xrayView } },
  },
  'GET /api/stuck': {
    summary: 'Orders that stopped moving',
    query: stuckQuery,
    responses: { 200: { description: 'The stuck orders', schema: stuckView } },
  },
  'GET /api/live': {
    summary: 'Changes as they happen (server-sent events)',
    responses: { 200: { description: 'The stream', types: ['text/event-stream'] } },
  },
};
