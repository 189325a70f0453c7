// Seeded sampling for episodes, so that they are reproducible, with the engine's one PRNG
// (src/engine/random.ts); Math.random is never used here.
import type { Rng } from '../random';

/** Mixes a seed with further integers (episode index, shot...) into an independent stream seed. */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of [...parts, parts.length]) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** k distinct items chosen uniformly, in random order (partial Fisher-Yates on a copy). */
export function sampleWithoutReplacement<T>(rng: Rng, items: readonly T[], k: number): T[] {
  if (k > items.length) throw new RangeError(`cannot take ${k} of ${items.length} items`);
  const copy = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(copy.length - i);
    const tmp = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = tmp;
  }
  return copy.slice(0, k);
}

export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  return sampleWithoutReplacement(rng, items, items.length);
}
