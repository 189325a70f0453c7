// What the worker tells the user when a request fails, in English with `{0}` placeholders: one
// table, whose English is also the key of its translation in l10n/bundle.l10n.<lang>.json. The
// worker raises these as RpcError.said(code, WORKER_MESSAGES.x, ...params): the error crosses the
// thread with its template, the extension says it through vscode.l10n.t (errorText) and the CLI
// and the log print the English. test/extension/l10n.test.ts checks every entry is translated.
export const WORKER_MESSAGES = {
  engineLoading: 'the engine is still loading',
  engineFailed: 'the engine failed to load: {0}',
  noLabelSets: 'this engine cannot predict label sets (multi-label tasks)',
  exportOverwrites: 'the export never overwrites its source',
  cannotRead: 'cannot read {0}: {1}',
  workspaceStalled: 'Classify Workspace stopped: {0} was not done within {1} s ({2} bytes); the run made no progress',
  noEncoder: 'the sentence encoder is not available in this worker (see the log)',
  badAbstention: 'abstention must be one of {0} (got {1})',
  badMultiLabel: 'multiLabel must be a list of {text: string, labels: string[]}',
  badLabelSets: "the worker's label sets are malformed: {0}",
  badOtherTasks: 'otherTasks must be an array of { task?: string, support: Example[] }',
  badTextColumns: 'textColumns must be an object of file paths to column names (got {0})',
  badTextColumn: 'textColumns: the column of {0} must be a string (got {1})',
} as const;
