// Class splits: keep only some labels, or whole CLINC150 domains (clinc150.domains.json).
import fs from 'node:fs';
import type { Example } from '../types';
import { EpisodeError } from './sampler';

/** Examples whose label is in `labels`; unknown labels are an error (a typo should not pass silently). */
export function selectLabels(examples: readonly Example[], labels: readonly string[]): Example[] {
  const present = new Set(examples.map((ex) => ex.label));
  const unknown = labels.filter((l) => !present.has(l));
  if (unknown.length) throw new EpisodeError(`unknown label(s): ${unknown.join(', ')}`);
  const wanted = new Set(labels);
  return examples.filter((ex) => wanted.has(ex.label));
}

export type DomainMap = Map<string, string>;

/** Reads a `{ label: domain }` JSON file. */
export function readDomainMap(file: string): DomainMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new EpisodeError(`${file}: cannot read the domain map (${reason})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new EpisodeError(`${file}: expected a JSON object mapping each label to its domain`);
  }
  const map: DomainMap = new Map();
  for (const [label, domain] of Object.entries(parsed)) {
    if (typeof domain !== 'string') throw new EpisodeError(`${file}: domain of "${label}" is not a string`);
    map.set(label, domain);
  }
  return map;
}

/** Labels that belong to the given domains; unknown domains are an error. */
export function labelsOfDomains(domains: DomainMap, wanted: readonly string[]): string[] {
  const known = new Set(domains.values());
  const unknown = wanted.filter((d) => !known.has(d));
  if (unknown.length) {
    throw new EpisodeError(`unknown domain(s): ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  }
  const set = new Set(wanted);
  return [...domains].filter(([, d]) => set.has(d)).map(([label]) => label);
}

/** Splits a data set into the held-out domains and the rest; the two label sets are disjoint. */
export function splitByDomains(examples: readonly Example[], domains: DomainMap, holdout: readonly string[]) {
  const held = new Set(labelsOfDomains(domains, holdout));
  return {
    heldOut: examples.filter((ex) => held.has(ex.label)),
    rest: examples.filter((ex) => !held.has(ex.label)),
  };
}
