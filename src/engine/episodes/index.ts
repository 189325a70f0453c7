export * from './prng';
export * from './group';
export * from './sampler';
export * from './splits';
