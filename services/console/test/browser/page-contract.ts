import type { ContractCheck } from '@orderly/testkit';
import type { Page, Response } from 'playwright-core';

/**
 * Holds every answer the browser gets from the console to the console's OpenAPI document, as the
 * API tests do: the page's own JSON calls, its pages, scripts and redirects. Returns what did not
 * match, once every answer seen so far has been checked.
 */
export function checkPageAnswers(page: Page, consoleUrl: string, contract: ContractCheck): () => Promise<string[]> {
  const problems: string[] = [];
  const checks: Promise<void>[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).origin !== consoleUrl) return;
    checks.push(check(contract, response).catch((err: Error) => void problems.push(err.message)));
  });
  return async () => {
    await Promise.all(checks);
    return problems;
  };
}

async function check(contract: ContractCheck, response: Response): Promise<void> {
  // Set-Cookie arrives joined by line breaks, which Headers refuses; the document does not describe cookies.
  const headers = new Headers(Object.entries(await response.allHeaders()).filter(([name]) => name !== 'set-cookie'));
  const status = response.status();
  // A redirect has no body to read, and an event stream is never done: their media types are checked, not their bodies.
  const bodiless = (status >= 300 && status < 400) || (headers.get('content-type') ?? '').startsWith('text/event-stream');
  const text = bodiless ? '' : await response.text();
  await contract.check(response.url(), response.request().method(), { status, headers }, text);
}
