// Order statistics of repeated timings. Benchmarks report medians (robust to the odd GC pause or
// scheduler hiccup) and the 90th percentile (how bad the slow runs get).

export interface Timing {
  median: number;
  p90: number;
  min: number;
  max: number;
  n: number;
}

/** The p-quantile (0..1) by linear interpolation between order statistics. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be in 0..1, got ${p}`);
  const s = [...samples].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);

export function summarizeTimes(samples: readonly number[]): Timing {
  return {
    median: median(samples),
    p90: percentile(samples, 0.9),
    min: Math.min(...samples),
    max: Math.max(...samples),
    n: samples.length,
  };
}
