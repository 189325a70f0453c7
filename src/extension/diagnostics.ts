// Shows predictions as diagnostics (source `few-shot`, message `billing 93%`, code = label),
// set in one batched call per update and capped per file (see predictionView.ts).
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import { buildEntries, type PredictionEntry } from './predictionView';

export const DIAGNOSTIC_SOURCE = 'few-shot';

export function activateDiagnostics(ctx: FewShotContext): void {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  ctx.subscriptions.push(collection);

  const render = (uris: readonly vscode.Uri[]) => {
    const batch: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]> = [];
    const { severity, minConfidence, maxPerFile, priority, showNone } = ctx.config;
    for (const uri of uris) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const result = doc && ctx.classifier.resultFor(doc);
      if (!doc || !result) {
        batch.push([uri, undefined]);
        continue;
      }
      const entries = buildEntries(result, new Set(ctx.labels.labelsOf(doc).keys()), { minConfidence, maxPerFile, priority, showNone });
      // A line that fits no label is not a finding: a hint at most (fewshot.diagnostics.showNone).
      batch.push([uri, entries.map((e) => toDiagnostic(doc, e, e.none ? vscode.DiagnosticSeverity.Hint : severity))]);
    }
    // One call for the whole update (VS Code fires one change event for it).
    if (batch.length) collection.set(batch);
  };
  const openUris = () => vscode.workspace.textDocuments.map((d) => d.uri);

  ctx.subscriptions.push(
    ctx.classifier.onDidUpdate(render),
    // A new label hides that line's diagnostic at once, before the re-run finishes.
    ctx.labels.onDidChange(() => render(openUris())),
    ctx.onDidChangeConfig(() => render(openUris())),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
  );
}

function toDiagnostic(doc: vscode.TextDocument, e: PredictionEntry, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const line = doc.lineAt(e.line);
  const range = new vscode.Range(e.line, line.firstNonWhitespaceCharacterIndex, e.line, line.text.length);
  const d = new vscode.Diagnostic(range, e.message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = e.label;
  return d;
}

/** The prediction behind a few-shot diagnostic, read back from its fields. */
export function predictionOf(d: vscode.Diagnostic): string | undefined {
  return d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string' ? d.code : undefined;
}
