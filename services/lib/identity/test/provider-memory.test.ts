import test from 'ava';
import { ProviderMemory } from '../src/provider-memory.js';

test('when entries are stored, then each lives until it expires or is destroyed, however many others come', async (t) => {
  let now = 0;
  const memory = new ProviderMemory(1000, () => now);
  const interactions = memory.adapter('Interaction');
  await interactions.upsert('operator', { uid: 'u-op' }, 600);
  // More than oidc-provider's development store held (1,000 entries for every model together).
  for (let i = 0; i < 5000; i++) await interactions.upsert(`anon-${i}`, {}, 60);
  t.deepEqual(await interactions.find('operator'), { uid: 'u-op' });
  t.is(memory.count('Interaction'), 5001);
  now += 61_000;
  t.is(memory.count('Interaction'), 1, 'expired ones are swept');
  t.deepEqual(await interactions.find('operator'), { uid: 'u-op' });
  now += 540_000;
  t.is(await interactions.find('operator'), undefined, 'its own lifetime ends it');
});

test('when a code is consumed or its grant revoked, then the provider sees that; models do not share ids', async (t) => {
  const memory = new ProviderMemory();
  const codes = memory.adapter('AuthorizationCode');
  const sessions = memory.adapter('Session');
  await codes.upsert('c1', { grantId: 'g1' }, 60);
  await codes.upsert('c2', { grantId: 'g2' }, 60);
  await sessions.upsert('c1', { uid: 's-uid' });
  await codes.consume('c1');
  t.true(typeof (await codes.find('c1'))?.consumed === 'number');
  t.deepEqual(await sessions.findByUid('s-uid'), { uid: 's-uid' });
  await codes.revokeByGrantId('g1');
  t.is(await codes.find('c1'), undefined);
  t.truthy(await codes.find('c2'));
  t.truthy(await sessions.find('c1'), 'the session of the same id is another model');
  await sessions.destroy('c1');
  t.is(await sessions.find('c1'), undefined);
});
