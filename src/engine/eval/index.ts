export * from './stats';
export * from './encoding-cache';
export * from './methods';
export * from './evaluate';
export * from './table';
export * from './peers';
export * from './charTfidf';
export * from './openSet';
