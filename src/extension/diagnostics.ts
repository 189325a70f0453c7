// Shows predictions as diagnostics (source `few-shot`, message `billing 93%`, code = label),
// set in one batched call per update and capped per file (see diagnosticEntries.ts). A capped
// file gets one more diagnostic on its first line saying how many predictions are hidden, with a
// quick fix (and a link on its code) that opens the panel: it sits in the Problems panel with
// the predictions, where someone missing some would look, and goes when the cap no longer bites;
// a notification would interrupt on every update, and the status bar speaks for one file only.
import * as vscode from 'vscode';
import type { FewShotContext } from './context';
import {
  allTasksMessage,
  capEntries,
  capNotice,
  type DiagnosticEntry,
  type DocumentPredictions,
  type OtherTask,
} from './diagnosticEntries';
import { recordTask, type TaskInfo } from './taskFile';
import { cappedRanges } from './workspaceResults';

export const DIAGNOSTIC_SOURCE = 'few-shot';

export function activateDiagnostics(ctx: FewShotContext): void {
  const collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  ctx.subscriptions.push(collection);

  const render = (uris: readonly vscode.Uri[]) => {
    const batch: Array<[vscode.Uri, vscode.Diagnostic[] | undefined]> = [];
    const { severity, minConfidence, maxPerFile, priority, showNone } = ctx.config;
    for (const uri of uris) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const result = doc && ctx.scheduler.resultFor(doc);
      // A closed file classified by Classify Workspace.
      const closed = doc ? undefined : ctx.workspace.closedFile(uri.toString());
      if (closed) {
        const { ranges, total } = cappedRanges(closed, new Set(ctx.labels.labelsOf(uri).keys()), { minConfidence, maxPerFile, priority });
        // fewshot.diagnostics.allTasks: the run classified every task, so the others join each message.
        const withOthers = allTasksOf(ctx, uri, (t) => ctx.workspace.closedFile(uri.toString(), t.name));
        const diagnostics = ranges.map((r) =>
          toDiagnostic(new vscode.Range(r.line, r.start, r.line, r.end), withOthers(r.entry), severity),
        );
        const notice = capNotice(ranges.length, total, priority);
        if (notice) diagnostics.push(noticeDiagnostic(new vscode.Range(0, 0, 0, closed.columns[1] ?? 0), notice, severity));
        batch.push([uri, diagnostics]);
        continue;
      }
      if (!doc || !result) {
        batch.push([uri, undefined]);
        continue;
      }
      const options = { minConfidence, maxPerFile, priority, showNone };
      const { entries, total } = capEntries(result, new Set(ctx.labels.labelsOf(doc).keys()), options);
      // A line that fits no label is not a finding: a hint at most (fewshot.diagnostics.showNone).
      // fewshot.diagnostics.allTasks: the other tasks' labels and predictions join each message.
      const shown = entries.map(allTasksOf(ctx, doc.uri, (t) => ctx.scheduler.resultForTask(doc, recordTask(t))));
      const diagnostics = shown.map((e) => toDiagnostic(lineRange(doc, e.line), e, e.none ? vscode.DiagnosticSeverity.Hint : severity));
      const notice = capNotice(entries.length, total, priority);
      if (notice && doc.lineCount > 0) diagnostics.push(noticeDiagnostic(lineRange(doc, 0), notice, severity));
      batch.push([uri, diagnostics]);
    }
    // One call for the whole update (VS Code fires one change event for it).
    if (batch.length) collection.set(batch);
  };
  const openUris = () => vscode.workspace.textDocuments.map((d) => d.uri);

  ctx.subscriptions.push(
    ctx.scheduler.onDidUpdate(render),
    ctx.workspace.onDidUpdate(render),
    // A new label hides that line's diagnostic at once, before the re-run finishes.
    ctx.labels.onDidChange(() => render(openUris())),
    // Closed files too: their messages follow the settings (allTasks, the cap, the minimum confidence).
    ctx.onDidChangeConfig(() => render([...openUris(), ...ctx.workspace.closedFiles().map((f) => vscode.Uri.parse(f.uri))])),
    // A closed file falls back to its workspace predictions, if any.
    vscode.workspace.onDidCloseTextDocument((d) => render([d.uri])),
  );
}

/**
 * With fewshot.diagnostics.allTasks, what turns an entry of the active task into one naming every
 * task's label or prediction of its line (`predictionsOf` gives another task's predictions of the
 * file); without it, the entry as it is.
 */
function allTasksOf(
  ctx: FewShotContext,
  uri: vscode.Uri,
  predictionsOf: (task: TaskInfo) => DocumentPredictions | undefined,
): (entry: DiagnosticEntry) => DiagnosticEntry {
  const others: OtherTask[] = ctx.config.allTasks
    ? ctx.otherTasks().map((t) => {
        const field = recordTask(t);
        // A multi-label task's labeled line is named by its whole set.
        const labels = t.kind === 'multi-label' ? ctx.labels.labelSetsOf(uri, field) : ctx.labels.labelsOf(uri, field);
        return { name: t.name, labels, predictions: predictionsOf(t) };
      })
    : [];
  if (others.length === 0) return (entry) => entry;
  const active = ctx.labels.activeTask().name;
  return (entry) => ({ ...entry, message: allTasksMessage(entry.line, { name: active, message: entry.message }, others) });
}

function lineRange(doc: vscode.TextDocument, lineNumber: number): vscode.Range {
  const line = doc.lineAt(lineNumber);
  return new vscode.Range(lineNumber, line.firstNonWhitespaceCharacterIndex, lineNumber, line.text.length);
}

function toDiagnostic(range: vscode.Range, e: DiagnosticEntry, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, e.message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  // A predicted set shows its labels (the quick fixes read the set from the predictions, codeActions.ts).
  d.code = e.set ? e.set.map((x) => x.label).join(' · ') || e.label : e.label;
  return d;
}

/** The value of the cap notice's code. The code is an object (value and link), so predictionOf never takes it for a label. */
const NOTICE_CODE = 'maxPerFile';

function noticeDiagnostic(range: vscode.Range, message: string, severity: vscode.DiagnosticSeverity): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: NOTICE_CODE, target: vscode.Uri.parse('command:fewshot.openPanel') };
  return d;
}

/** The diagnostic saying what the per-file cap hides. */
export function isCapNotice(d: vscode.Diagnostic): boolean {
  return d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'object' && d.code.value === NOTICE_CODE;
}

/** The prediction behind a few-shot diagnostic, read back from its fields. */
export function predictionOf(d: vscode.Diagnostic): string | undefined {
  return d.source === DIAGNOSTIC_SOURCE && typeof d.code === 'string' ? d.code : undefined;
}
