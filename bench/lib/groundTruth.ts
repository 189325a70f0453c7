// The stress run's ground truth: what the label file must hold after writers logged their
// operations. Pure (no I/O) so that a unit test can check it reports losses and resurrections.

/** One logged operation of a writer; `order` ranks the operations on one line (higher: later). */
export interface LoggedOp {
  order: number;
  document: string;
  line: number;
  op: 'label' | 'relabel' | 'remove';
  /** The label set (label, relabel); none for a removal. */
  label?: string;
}

/** A record of the final file, as far as the ground truth looks at it (0-based line). */
export interface FinalRecord {
  document: string;
  line: number;
  label: string;
}

export interface Verdict {
  ops: number;
  /** Lines whose last operation set a label. */
  expected: number;
  /** A line whose last operation was a label/relabel but that is missing or holds another label. */
  lost: number;
  /** A line whose last operation was a removal but that holds a label. */
  resurrected: number;
  /** Records on lines no operation touched (nobody wrote them). */
  unexpected: number;
  /** A few of the lines behind the counts above, to look at when a run fails. */
  examples: string[];
}

const keyOf = (document: string, line: number) => `${document}:${line + 1}`;

/**
 * Compares the final records with the last operation on each line. Operations of equal `order`
 * on one line count in log order (the later one wins).
 */
export function judge(ops: readonly LoggedOp[], final: readonly FinalRecord[]): Verdict {
  const last = new Map<string, LoggedOp>();
  for (const op of ops) {
    const key = keyOf(op.document, op.line);
    const known = last.get(key);
    if (!known || op.order >= known.order) last.set(key, op);
  }
  const found = new Map<string, string>();
  for (const r of final) found.set(keyOf(r.document, r.line), r.label);
  const verdict: Verdict = { ops: ops.length, expected: 0, lost: 0, resurrected: 0, unexpected: 0, examples: [] };
  const note = (what: string) => {
    if (verdict.examples.length < 5) verdict.examples.push(what);
  };
  for (const [key, op] of last) {
    const has = found.get(key);
    if (op.op === 'remove') {
      if (has !== undefined) {
        verdict.resurrected++;
        note(`${key} removed, holds ${has}`);
      }
      continue;
    }
    verdict.expected++;
    if (has !== op.label) {
      verdict.lost++;
      note(`${key} ${op.op} ${op.label}, holds ${has ?? 'nothing'}`);
    }
  }
  for (const key of found.keys()) if (!last.has(key)) verdict.unexpected++;
  return verdict;
}
