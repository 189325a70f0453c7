// Per-label counts of the labeled lines the panel's line list does not hold. The list shows the
// open documents only, but a label's total should cover every record of the label files.

/**
 * How many of each label's records are not among the listed ones: `all` names the label of every
 * record (all folders, detached ones included), `listed` the label of every labeled line the
 * list holds. Labels with none elsewhere are left out.
 */
export function countElsewhere(all: Iterable<string>, listed: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of all) counts.set(label, (counts.get(label) ?? 0) + 1);
  for (const label of listed) {
    const n = counts.get(label);
    // A listed line the records lack (a label still being saved) takes nothing below zero.
    if (n !== undefined) counts.set(label, n - 1);
  }
  for (const [label, n] of counts) if (n <= 0) counts.delete(label);
  return counts;
}
