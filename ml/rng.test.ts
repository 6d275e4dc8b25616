import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from './rng.ts';

/** Every draw the risk model makes, for a few seeds and streams, as one hash. */
function drawsHash(seed: number, stream?: number): string {
  const r = new SeededRandom(seed, stream);
  const out: number[] = [];
  for (let i = 0; i < 200; i++) out.push(r.nextUint32(), r.next(), r.int(1000), r.normal());
  out.push(...r.permutation(50));
  return createHash('sha256').update(out.join(',')).digest('hex').slice(0, 16);
}

describe('SeededRandom', () => {
  it('keeps its sequences: same seed and stream, same numbers on every platform', () => {
    const r = new SeededRandom(42);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([747772606, 1283598131, 1469740928]);
    expect({
      '0': drawsHash(0),
      '42': drawsHash(42),
      '42/1': drawsHash(42, 1),
      '42/7': drawsHash(42, 7),
      '-3': drawsHash(-3),
      '1.9': drawsHash(1.9),
      '2^40+7': drawsHash(2 ** 40 + 7),
    }).toEqual({
      '0': '41066c675c5557d7',
      '42': '64665a356a8c2824',
      '42/1': 'abaec93c7495ec5b',
      '42/7': '8fb225fc8cc3a639',
      '-3': 'a5ebf6f32336a1e1',
      '1.9': '66d7b43ce350fc52',
      '2^40+7': 'aef5ba2b737de3ac',
    });
  });
});
