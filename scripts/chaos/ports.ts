import { freePort } from '@orderly/testkit';

/** n distinct ports nothing listens on now, outside the kernel's ephemeral range (testkit's freePort). */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const p = await freePort();
    if (!out.includes(p)) out.push(p);
  }
  return out;
}
