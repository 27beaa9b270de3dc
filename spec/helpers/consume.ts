/** Reading from this project's consumer in specs. */
import type { Consumer, ConsumerRecord } from '../../lib/client/index.js';

/** The next `n` records the consumer yields. */
export async function readN(c: Consumer, n: number): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  for await (const r of c) {
    out.push(r);
    if (out.length === n) break;
  }
  return out;
}
