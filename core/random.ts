/**
 * The project's seeded random-number generator: sfc32, seeded through splitmix32 from (seed, stream).
 * Same seed, stream and scheme, same sequence, on every platform. The risk model uses it for
 * everything it draws outside TensorFlow (the order of training rows in each epoch, the seeds of the
 * layer initialisers, synthetic benchmark data); the demo generator for all of its data.
 *
 * Two schemes are in use, and both are pinned by tests because their outputs are (model weights,
 * demo bytes): they differ only in how the seed and stream are mixed into the state and in how
 * normal deviates are drawn. New code takes the default, `SCHEMES.standard`.
 */

export interface RandomScheme {
  /** Multiplier that mixes the stream number into the seed. */
  readonly streamMultiplier: number;
  /** Multiplier that mixes the seed's bits above 2^32 in; 0 ignores them. */
  readonly highMultiplier: number;
  /** Outputs discarded after seeding. */
  readonly warmUp: number;
  /**
   * Normal deviates by Box–Muller: `single` uses one value of each pair (u drawn again while 0);
   * `paired` uses both, the second on the next call (u = 1 − uniform).
   */
  readonly normals: 'single' | 'paired';
}

export const SCHEMES = {
  /** The risk model's, and the default. */
  standard: { streamMultiplier: 0x27d4eb2d, highMultiplier: 0, warmUp: 12, normals: 'single' },
  /** The demo generator's (`ingest/demo/`): every bit of the seed counts. */
  demo: { streamMultiplier: 0x165667b1, highMultiplier: 0x27d4eb2f, warmUp: 15, normals: 'paired' },
} as const satisfies Readonly<Record<string, RandomScheme>>;

/** A weight table, e.g. `{ early: 15, normal: 62 }`; a missing key weighs 0. */
export type Weights<K extends string> = Readonly<Partial<Record<K, number>>>;

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly pairedNormals: boolean;
  /** The second value of the last Box–Muller pair (`paired` normals), NaN when used. */
  private spare = NaN;

  /** `seed`: any finite number; its integer part counts. */
  constructor(seed: number, stream = 0, scheme: RandomScheme = SCHEMES.standard) {
    if (!Number.isFinite(seed)) throw new Error(`A random seed must be a finite number, got ${seed}.`);
    const low = seed >>> 0;
    const high = Math.floor(seed / 4294967296) >>> 0;
    const mix = splitmix32(
      low ^ Math.imul(high, scheme.highMultiplier) ^ Math.imul(stream + 1, scheme.streamMultiplier),
    );
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < scheme.warmUp; i++) this.nextUint32();
    this.pairedNormals = scheme.normals === 'paired';
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  intBetween(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller, as the scheme says). */
  normal(): number {
    if (this.pairedNormals) return this.pairedNormal();
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  private pairedNormal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** A key of a weight table, e.g. `{ early: 15, normal: 62 }`, with probability ∝ its weight. */
  weighted<K extends string>(table: Weights<K>): K {
    let total = 0;
    for (const k in table) total += table[k] ?? 0;
    let u = this.next() * total;
    let last = '' as K;
    for (const k in table) {
      last = k;
      u -= table[k] ?? 0;
      if (u < 0) return k;
    }
    return last;
  }

  /** A numeric key of a weight table, e.g. payment terms `{ 30: 80, 60: 20 }`. */
  weightedNumber(table: Readonly<Record<number, number>>): number {
    return Number(this.weighted(table as Weights<string>));
  }

  /** An index i with probability ∝ weights[i]. */
  index(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] as number;
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  /** Shuffle `xs` in place (Fisher–Yates) and return it. */
  shuffle<T>(xs: T[]): T[] {
    this.shuffleInPlace(xs);
    return xs;
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffleInPlace(p);
    return p;
  }

  private shuffleInPlace<T>(xs: { length: number; [i: number]: T }): void {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i] as T;
      xs[i] = xs[j] as T;
      xs[j] = t;
    }
  }
}
