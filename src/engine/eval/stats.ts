// Mean and a normal-approximation 95% confidence interval, as in the few-shot literature.

export interface Summary {
  mean: number;
  /** Half-width of the 95% interval: 1.96 * sd / sqrt(n); 0 when n < 2. */
  ci95: number;
  n: number;
}

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) throw new RangeError('mean of an empty list');
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i] as number;
  return sum / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values. */
export function sampleSd(xs: ArrayLike<number>): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += ((xs[i] as number) - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

export function summarize(xs: ArrayLike<number>): Summary {
  return { mean: mean(xs), ci95: xs.length < 2 ? 0 : (1.96 * sampleSd(xs)) / Math.sqrt(xs.length), n: xs.length };
}

/** Paired difference a - b over the same episodes. */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): Summary {
  if (a.length !== b.length) throw new RangeError(`paired lists differ in length (${a.length} vs ${b.length})`);
  return summarize(Array.from(a, (x, i) => x - (b[i] as number)));
}
