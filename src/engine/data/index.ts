export * from './errors';
export * from './text-file';
export * from './lines';
export * from './jsonl';
export * from './labels';
