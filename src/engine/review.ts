// Which lines a person should look at next: the ones the model is least sure of (active learning by
// uncertainty sampling). One rule for every surface: Next Uncertain Line in the editor and the
// labeling rounds of `fewshot demo` both ask this function.

/**
 * The `count` eligible lines with the highest uncertainty, least sure first; among equal
 * uncertainties the earlier line comes first. O(lines x count): count is a handful (one for Next
 * Uncertain Line), so a bounded insertion list beats sorting the document.
 */
export function leastCertainLines(uncertainty: ArrayLike<number>, eligible: (line: number) => boolean, count: number): number[] {
  const picked: number[] = [];
  if (count <= 0) return picked;
  for (let line = 0; line < uncertainty.length; line++) {
    if (!eligible(line)) continue;
    const u = uncertainty[line] as number;
    if (picked.length === count && u <= (uncertainty[picked[count - 1] as number] as number)) continue;
    let at = picked.length;
    while (at > 0 && u > (uncertainty[picked[at - 1] as number] as number)) at--;
    picked.splice(at, 0, line);
    if (picked.length > count) picked.pop();
  }
  return picked;
}
