import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localAdminFile, readLocalAdmin } from '@orderly/platform/testing';
import test from 'ava';
import { ensureLocalAdmin } from '../admin-credentials.ts';

/**
 * The local administrator's password: generated once, kept like the services' (a file
 * of its owner's only, 0600), the same on every later set-up — and an old file holding the
 * well-known `orderly` is not kept: the set-up makes a new password, which admin.sql then sets.
 */
test('when the set-up asks for the administrator twice, then one generated password is kept, readable by its owner only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'orderly-admin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = localAdminFile(dir);
  const first = await ensureLocalAdmin(file);
  t.is(first.role, 'orderly');
  t.regex(first.password, /^[0-9a-f]{36}$/);
  t.deepEqual(await ensureLocalAdmin(file), first);
  t.deepEqual(readLocalAdmin(file), first, 'what the test helpers and the bench read');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await stat(join(dir, 'credentials'))).mode & 0o777, 0o700);
});

test('when the kept password is the well-known one, then a new one is generated', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'orderly-admin-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = localAdminFile(dir);
  await ensureLocalAdmin(file);
  await writeFile(file, JSON.stringify({ role: 'orderly', password: 'orderly' }));
  t.regex((await ensureLocalAdmin(file)).password, /^[0-9a-f]{36}$/);
});

test('when the set-up has not run, then reading the administrator says what to do', (t) => {
  t.throws(() => readLocalAdmin('/nonexistent/credentials/admin.json'), { message: /run scripts\/setup\.sh, or set DATABASE_URL/ });
});
