// The labeling panel's lines of closed files that Classify Workspace classified (the panel's
// document filter then lists them beside the open documents). A file's lines are read again
// when first listed (the workspace results keep no text): it joins the list once they are.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import type { PanelSourceLine } from './panel';

export function workspacePanelLines(ctx: FewShotContext, wanted: ReadonlySet<string> | undefined): PanelSourceLine[] {
  const out: PanelSourceLine[] = [];
  for (const file of ctx.workspace.closedFiles()) {
    if (wanted && !wanted.has(file.uri)) continue;
    const lines = ctx.workspace.lines.get(file);
    if (!lines) continue;
    const labels = ctx.labels.labelsOf(vscode.Uri.parse(file.uri));
    for (let line = 0; line < file.labelIndex.length; line++) {
      const index = file.labelIndex[line]!;
      const label = labels.get(line);
      if (index < 0 && label === undefined) continue; // empty line
      const entry: PanelSourceLine = { uri: file.uri, line, text: lines[line]! };
      if (label !== undefined) entry.label = label;
      if (index >= 0)
        entry.prediction = { label: file.labels[index]!, confidence: file.confidence[line]!, uncertainty: file.uncertainty[line]! };
      out.push(entry);
    }
  }
  return out;
}
