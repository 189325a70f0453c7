// Meta-training uses the engine's seeded PRNG.
export { Rng } from '../random';
