import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A demo account of the demo provider: a customer (the subject is the customer id) or an operator. */
export interface Account {
  /** The login name and the token's subject. */
  id: string;
  email: string;
  roles: string[];
}

export const operatorRole = 'orderly-operator';

/** The demo accounts: customers C100 and C200, and the operator ops. */
export const demoAccounts = 'C100:c100@example.com,C200:c200@example.com,ops:ops@orderly.example:orderly-operator';

/**
 * "C100:c100@example.com,ops:ops@orderly.example:orderly-operator" → accounts: id, email and any
 * roles after a second colon (separated by "+").
 */
export function parseAccounts(spec: string): Account[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [id, email, roles] = entry.split(':');
      if (!id || !email) throw new Error(`account "${entry}": expected id:email[:role+role]`);
      return { id, email, roles: roles ? roles.split('+') : [] };
    });
}

/** Compares a password in constant time (for equal lengths; the length itself is no secret here). */
export function passwordMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A fresh random password for each account of an IDP_ACCOUNTS spec (144 bits each, base64url):
 * what the local stack and the tests give the provider as IDP_ACCOUNT_PASSWORDS.
 */
export function newAccountPasswords(spec: string): Record<string, string> {
  return Object.fromEntries(parseAccounts(spec).map((a) => [a.id, randomBytes(18).toString('base64url')]));
}
