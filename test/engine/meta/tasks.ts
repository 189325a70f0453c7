// Synthetic few-shot tasks for the learner and trainer tests.
import type { DenseTask } from '../../../src/engine/meta/learner';
import type { Rng } from '../../../src/engine/random';

export const D = 6;

/** Tasks from a fixed family: 3 of 6 anchor classes, noisy points, support/query split. */
export function sampleTask(rng: Rng, shots = 3, queries = 4): DenseTask {
  const anchors = Array.from({ length: 6 }, (_, c) => Array.from({ length: D }, (_, k) => Math.sin(1.7 * c + 2.3 * k)));
  const classes = rng.shuffle([0, 1, 2, 3, 4, 5]).slice(0, 3);
  const draw = (count: number) => {
    const x = new Float32Array(count * 3 * D);
    const y = new Int32Array(count * 3);
    for (let r = 0; r < y.length; r++) {
      y[r] = r % 3;
      for (let k = 0; k < D; k++) x[r * D + k] = anchors[classes[y[r]]][k] + rng.uniform(-0.9, 0.9);
    }
    return { x, y };
  };
  const s = draw(shots),
    q = draw(queries);
  return { xs: s.x, ys: s.y, xq: q.x, yq: q.y, nClasses: 3 };
}
