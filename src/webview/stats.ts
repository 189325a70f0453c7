// Small statistics used by the panel. Pure.

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for a binomial proportion (z = 1.96 gives 95%). Undefined for n = 0. */
export function wilson(successes: number, n: number, z = 1.96): Interval | undefined {
  if (!(n > 0) || successes < 0 || successes > n) return undefined;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Counts of values in `bins` equal-width bins over [0, 1]; 1.0 falls in the last bin. */
export function histogram(values: Iterable<number>, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    counts[b]++;
  }
  return counts;
}

/** Up to k distinct items chosen uniformly (partial Fisher-Yates). */
export function sample<T>(items: readonly T[], k: number, random: () => number = Math.random): T[] {
  const copy = items.slice();
  const n = Math.min(k, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

export function percent(v: number): string {
  return `${Math.round(v * 100)}%`;
}
