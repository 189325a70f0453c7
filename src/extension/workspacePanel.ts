// The labeling panel's lines of closed files that Classify Workspace classified (the panel's
// document filter then lists them beside the open documents). A file's lines are read again
// when first listed (the workspace results keep no text): it joins the list once they are.
import * as vscode from 'vscode';
import { NONE_LABEL } from '../engine/labels/none';
import type { FewShotContext } from './context';
import { type DocumentPredictions, predictedSet } from './diagnosticEntries';
import type { PanelSourceLine } from './panel';

/**
 * One listed line, open or closed: its label (a multi-label task's set: `labels`, `label` its first
 * or `none`) and its prediction (a predicted set: `prediction.labels`), so the panel's counts and
 * filters see a set's every label wherever the line comes from.
 */
export function panelLine(
  at: Pick<PanelSourceLine, 'uri' | 'line' | 'text'>,
  label: string | undefined,
  set: string[] | undefined,
  result: (DocumentPredictions & { refined?: boolean }) | undefined,
): PanelSourceLine {
  const { line } = at;
  const entry: PanelSourceLine = { ...at };
  if (label !== undefined) entry.label = label;
  if (set) {
    entry.label = set[0] ?? NONE_LABEL;
    entry.labels = set;
  }
  const index = result?.labelIndex[line] ?? -1;
  if (result && index >= 0) {
    const predicted = predictedSet(result, line);
    entry.prediction = {
      label: result.labels[index]!,
      confidence: result.confidence[line]!,
      uncertainty: result.uncertainty[line]!,
      ...(result.refined ? { refined: true as const } : {}),
      ...(predicted ? { labels: predicted.map((x) => x.label) } : {}),
    };
  }
  return entry;
}

/** What the closed files' lines need of the context. */
export interface WorkspacePanelContext {
  readonly workspace: Pick<FewShotContext['workspace'], 'closedFiles'> & {
    readonly lines: Pick<FewShotContext['workspace']['lines'], 'get'>;
  };
  readonly labels: Pick<FewShotContext['labels'], 'labelsOf' | 'isMultiLabel' | 'labelSetsOf'>;
}

export function workspacePanelLines(ctx: WorkspacePanelContext, wanted: ReadonlySet<string> | undefined): PanelSourceLine[] {
  const out: PanelSourceLine[] = [];
  for (const file of ctx.workspace.closedFiles()) {
    if (wanted && !wanted.has(file.uri)) continue;
    const lines = ctx.workspace.lines.get(file);
    if (!lines) continue;
    const uri = vscode.Uri.parse(file.uri);
    const labels = ctx.labels.labelsOf(uri);
    const sets = ctx.labels.isMultiLabel() ? ctx.labels.labelSetsOf(uri) : undefined;
    for (let line = 0; line < file.labelIndex.length; line++) {
      const index = file.labelIndex[line]!;
      const label = labels.get(line);
      if (index < 0 && label === undefined) continue; // empty line
      out.push(panelLine({ uri: file.uri, line, text: lines[line]! }, label, sets?.get(line), file));
    }
  }
  return out;
}
