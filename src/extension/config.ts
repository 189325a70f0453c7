// Typed view of the `fewshot.*` settings.
import * as vscode from 'vscode';
import { type AbstentionMode, isAbstentionMode } from '../engine/abstention/mode';
import type { BackendChoice } from '../engine/engine';
import type { Priority } from './diagnosticEntries';

export interface FewShotConfig {
  languages: string[];
  include: string[];
  severity: vscode.DiagnosticSeverity;
  minConfidence: number;
  maxPerFile: number;
  priority: Priority;
  /** Show lines predicted as `none` (fits no label) as hint diagnostics. */
  showNone: boolean;
  /** `fewshot.diagnostics.allTasks`: every task's prediction on one line, not only the active task's. */
  allTasks: boolean;
  /** `fewshot.improve.warmStart`: Improve the Model starts a task with few labels from the finished task most like it. */
  improveWarmStart: boolean;
  /** `fewshot.abstention`: passed to the engine, which decides what `auto` means (src/engine/abstention/mode.ts). */
  abstention: AbstentionMode;
  /** `fewshot.refine`: refine predictions with the sentence block in the background. */
  refine: boolean;
  labelsFile: string;
  backend: BackendChoice;
  method: string | undefined;
  updateDelayMs: number;
  /** Classify Workspace skips files larger than this many MB. */
  workspaceMaxFileMB: number;
}

const severities: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

const clamp = (v: number, lo: number, hi: number, fallback: number) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback);

export function readConfig(): FewShotConfig {
  const c = vscode.workspace.getConfiguration('fewshot');
  const method = c.get<string>('engine.method', '').trim();
  const abstention = c.get<unknown>('abstention', 'auto');
  return {
    languages: c.get<string[]>('languages', ['plaintext', 'markdown', 'log', 'csv', 'tsv', 'jsonl']),
    include: c.get<string[]>('include', []),
    severity: severities[c.get<string>('diagnostics.severity', 'information')] ?? vscode.DiagnosticSeverity.Information,
    minConfidence: clamp(c.get<number>('diagnostics.minConfidence', 0), 0, 1, 0),
    maxPerFile: clamp(c.get<number>('diagnostics.maxPerFile', 1000), 0, 100_000, 1000),
    // The least certain by default: they need review; only an explicit `confidence` keeps the surest.
    priority: c.get<string>('diagnostics.priority', 'uncertainty') === 'confidence' ? 'confidence' : 'uncertainty',
    showNone: c.get<boolean>('diagnostics.showNone', false) === true,
    allTasks: c.get<boolean>('diagnostics.allTasks', false) === true,
    improveWarmStart: c.get<boolean>('improve.warmStart', true) !== false,
    // A hand-edited settings.json may hold anything; an unknown value is the default.
    abstention: isAbstentionMode(abstention) ? abstention : 'auto',
    refine: c.get<string>('refine', 'on') !== 'off',
    labelsFile: c.get<string>('labelsFile', '.fewshot/labels.jsonl').trim() || '.fewshot/labels.jsonl',
    backend: c.get<BackendChoice>('engine.backend', 'auto'),
    method: method === '' ? undefined : method,
    updateDelayMs: clamp(c.get<number>('updateDelayMs', 300), 0, 10_000, 300),
    workspaceMaxFileMB: clamp(c.get<number>('workspace.maxFileSizeMB', 50), 0, 4096, 50),
  };
}
