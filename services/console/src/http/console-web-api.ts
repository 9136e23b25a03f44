import type { OperationDoc } from '@orderly/platform';
import { z } from 'zod';

const page = (description: string) => ({ description, types: ['text/html; charset=utf-8'] });
const redirect = (description: string) => ({ description, headers: { Location: 'Where to go' } });
const asset = { description: 'The file', types: ['application/javascript; charset=utf-8', 'text/css; charset=utf-8', 'image/svg+xml'] };

/**
 * The console's own pages, sign-in and the JSON its page reads. The JSON shapes are the services'
 * answers passed on, so they are described by their fields the page needs, open to more.
 */
export const consoleWebOperations: Record<string, OperationDoc> = {
  'GET /auth/login': {
    summary: 'Start signing in (OpenID Connect)',
    responses: { 302: redirect('To the identity provider'), 200: page('A notice') },
  },
  'GET /auth/callback': {
    summary: "The identity provider's answer",
    responses: { 303: redirect('Back to the page asked for'), 200: page('A notice') },
  },
  'POST /auth/logout': { summary: 'Sign out', responses: { 200: page('Signed out') } },
  'GET /': { summary: 'The console page', responses: { 200: page('The page') } },
  'GET /ui/{file}': { summary: "The page's scripts and styles", responses: { 200: asset } },
  'GET /vendor/{file}': { summary: "The page's libraries", responses: { 200: asset } },
  'GET /api/session': {
    summary: 'Who is signed in',
    responses: { 200: { description: 'The session', schema: z.looseObject({ operator: z.string(), stuckAfterS: z.number() }) } },
  },
  'GET /api/orders': {
    summary: 'Orders, filtered, a page at a time',
    responses: {
      200: {
        description: 'A page',
        schema: z.looseObject({ items: z.array(z.looseObject({ orderId: z.uuid() })), next: z.string().optional() }),
      },
    },
  },
  'GET /api/orders/stats': {
    summary: 'Orders per status',
    responses: { 200: { description: 'Counts', schema: z.looseObject({ counts: z.record(z.string(), z.number()) }) } },
  },
  'GET /api/orders/{id}/xray': {
    summary: "Everything about an order's journey",
    responses: { 200: { description: 'The x-ray', schema: z.looseObject({}) } },
  },
  'GET /api/stuck': { summary: 'Orders that stopped moving', responses: { 200: { description: 'The stuck orders', schema: z.unknown() } } },
  'GET /api/live': {
    summary: 'Changes as they happen (server-sent events)',
    responses: { 200: { description: 'The stream', types: ['text/event-stream'] } },
  },
};
