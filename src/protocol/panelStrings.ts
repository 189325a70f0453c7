// The labeling panel's visible strings, in the user's language. The webview has no vscode.l10n:
// the extension translates this fixed table through the same bundle as its own messages
// (l10n/bundle.l10n.<lang>.json, keyed by the English text) and hands the result to the webview
// with its HTML; the webview validates it here and shows every string as text. `{0}`, `{1}` are
// filled by formatPanelString. Pure: no vscode and no DOM import.

import { LABEL_NAME_PROBLEMS } from '../engine/data/labelName';

/** Key -> the English text (also the key of its translation in the l10n bundle). */
export const PANEL_STRINGS = {
  // The empty states and the status line.
  'empty.loading': 'Loading…',
  'empty.noDocument': 'No open document to label: open a text file (see the fewshot.languages setting).',
  'empty.noLines': 'No lines match.',
  'say.malformed': 'Ignored a malformed message from the extension: {0}',
  'say.noKey': 'No label has the key {0}.',
  'say.noLabels': 'No labels yet: create one in Labels.',
  'say.noPrediction': 'This line has no prediction yet.',
  'say.nothingToUndo': 'Nothing to undo.',
  'say.backToSkipped': 'Back to the skipped line.',
  'say.undone': 'Undone.',
  'say.qualityCancelled': 'Quality estimate cancelled.',
  'say.nonePredicted': 'No unlabeled line is predicted as {0}.',
  'say.badKey': '{0} cannot be a label key: use a digit or a letter other than {1}.',
  // The key help.
  'help.title': 'Keyboard shortcuts',
  'help.close': 'Esc closes.',
  'keys.next': 'Next line',
  'keys.previous': 'Previous line',
  'keys.labelKey':
    'Give the line the label with that key (shown on the label; click a key in Labels to change it) and go on; in a multi-label task, add or remove the label and stay on the line',
  'keys.chooser': 'Choose a label by typing part of its name (Enter gives it, Esc closes)',
  'keys.none': 'Mark the line as fitting no label (none) and go on',
  'keys.accept': 'Accept the prediction and go on',
  'keys.skip': 'Skip the line',
  'keys.undo': 'Undo the last decision',
  'keys.reveal': 'Show the line in its editor; in a multi-label task, confirm the line (no label: none) and go on',
  'keys.search': 'Search',
  'keys.precision': 'While checking precision: the prediction is right / wrong',
  'keys.help': 'Show or hide these keys',
  // The toolbar.
  'toolbar.search': 'Search lines',
  'toolbar.order': 'Order',
  'toolbar.show': 'Show',
  'toolbar.document': 'Document',
  'toolbar.keys': 'Keyboard shortcuts (?)',
  'toolbar.findLabel': 'Find label',
  'toolbar.findLabelName': 'Find a label',
  'toolbar.labelBar': 'Labels: press the key shown on a label to give the line that label, l to choose one by name',
  'toolbar.recentDecisions': 'Recent decisions',
  'toolbar.recent': 'Recent',
  'toolbar.skipped': 'skipped',
  'toolbar.lineNumber': 'line {0}',
  'toolbar.labelOf': 'Label of: {0}',
  'toolbar.noneOption': '(none)',
  'toolbar.undo': 'Undo the last decision (Backspace)',
  'toolbar.noneChip': '{0} — fits no label',
  'toolbar.noneChipName': '{0}: fits no label (key 0)',
  'toolbar.chipWithKey': '{0} (key {1})',
  'toolbar.moreLabels': '{0} more: type in Find label, or press l',
  'toolbar.noMatch': 'No label matches.',
  'sort.uncertainty': 'Most uncertain first',
  'sort.document': 'Document order',
  'sort.confidence': 'Most confident first',
  'filter.all': 'All lines',
  'filter.unlabeled': 'Unlabeled',
  'filter.labeled': 'Labeled',
  'filter.low': 'Low confidence',
  'filter.none': 'Fits no label',
  'filter.predicted': 'Predicted: {0}',
  'filter.allDocuments': 'All documents',
  // The label chooser.
  'chooser.placeholder': 'Type part of a label name',
  'chooser.input': 'Label name',
  'chooser.list': 'Matching labels',
  'chooser.title': 'Choose a label',
  'chooser.hint': '↑↓ to move, Enter to give the label, Esc to close.',
  // The line list and its refined marks.
  'lines.title': 'Lines',
  'lines.refined': 'refined with the sentence encoder',
  'lines.fast': 'fast features (not refined yet)',
  'lines.labeled': 'labeled {0}',
  'lines.predicted': 'predicted {0}, {1} confident',
  'lines.predictedRefined': 'predicted {0}, {1} confident, refined',
  'lines.unlabeled': 'unlabeled',
  'lines.row': '{0}: {1}. {2}',
  // The sidebar: labels.
  'sidebar.title': 'Labels and statistics',
  'sidebar.labels': 'Labels',
  'sidebar.predictions': 'Predictions',
  'sidebar.model': 'Model',
  'sidebar.quality': 'Quality',
  'labels.new': 'New label',
  'labels.newName': 'New label name',
  'labels.newColour': 'New label colour',
  'labels.create': 'Create label',
  'labels.renameTo': 'New name for {0}',
  'labels.where.one':
    '{0} labeled line in the label files: {1} in the open files listed here, {2} in closed files or detached from their text',
  'labels.where.other':
    '{0} labeled lines in the label files: {1} in the open files listed here, {2} in closed files or detached from their text',
  'labels.count': '{0} labeled',
  'labels.countElsewhere': '{0} labeled, {1} of them in closed files',
  'labels.closed': '({0} closed)',
  'labels.rename': 'Rename {0}',
  'labels.delete': 'Delete {0}',
  'labels.confirmName': 'Delete {0}?',
  'labels.confirm.one': 'Delete “{0}”? {1} labeled line loses its label.',
  'labels.confirm.other': 'Delete “{0}”? {1} labeled lines lose their label.',
  'labels.deleteButton': 'Delete',
  'labels.cancel': 'Cancel',
  'labels.hidden.one':
    '{0} more label in the label files is not listed here: the panel lists at most {1} labels, and none whose name has control, bidi or zero-width characters.',
  'labels.hidden.other':
    '{0} more labels in the label files are not listed here: the panel lists at most {1} labels, and none whose name has control, bidi or zero-width characters.',
  'labels.keyWaiting': 'Press the new key for {0} (Backspace: default, Esc: keep)',
  'labels.key': 'Key of {0}: {1}. Click to change it',
  'labels.noKey': 'none',
  'labels.changeColour': 'Change the colour of {0}',
  'labels.colour': 'Colour of {0}',
  // The sidebar: charts, model, quality.
  'charts.summary': '{0} of {1} listed lines labeled',
  'charts.summaryElsewhere': '{0} of {1} listed lines labeled; {2} more in closed files',
  'charts.predicted': 'Predicted labels (unlabeled lines)',
  'charts.predictedName': 'Predicted labels',
  'charts.confidence': 'Confidence',
  'charts.confidenceName': 'Confidence of predictions',
  'charts.noData': 'no data',
  'model.task': 'Task',
  'model.backend': 'Backend',
  'model.lastAdaptation': 'Last adaptation',
  'model.ms': '{0} ms',
  'quality.accuracy': 'Accuracy (cross-validated)',
  'quality.estimating': 'Estimating',
  'quality.estimate': 'Estimate the accuracy of the model',
  'quality.cancel': 'Cancel',
  'quality.leaveOneOut': 'leave-one-out',
  'quality.kFold': '{0}-fold cross-validation',
  'quality.detail': '{0} of {1} labeled lines predicted right by {2} when left out ({3}).',
  'quality.detailPool': '{0} of {1} labeled lines predicted right by {2} when left out ({3}, pool {4}).',
  'quality.running': 'estimating…',
  'quality.stale': 'labels changed: estimate again',
  'quality.twoLabels': 'at least two labels need examples',
  'quality.value': '{0} (95% {1}–{2}, n={3})',
  'precision.label': 'Label to check',
  'precision.check': 'Check precision of',
  'precision.start': 'Start',
  'precision.region': 'Precision check of {0}',
  'precision.question': 'Is this “{0}”? {1} of {2}',
  'precision.gone': '(this line is no longer in the panel)',
  'precision.yes': 'Yes (y)',
  'precision.no': 'No (n)',
  'precision.stop': 'Stop',
  'precision.result': 'Precision of “{0}” ≈ {1} (95% interval {2}–{3}; {4} of {5} confirmed)',
  'precision.noAnswers': 'No answers for “{0}”.',
  'precision.done': 'Done',
  // The label-name rule's problems (the wording is the rule's: engine/data/labelName.ts).
  'labelName.notString': LABEL_NAME_PROBLEMS.notString,
  'labelName.empty': LABEL_NAME_PROBLEMS.empty,
  'labelName.invisible': LABEL_NAME_PROBLEMS.invisible,
  'labelName.tooLong': LABEL_NAME_PROBLEMS.tooLong,
  'labelName.spaces': LABEL_NAME_PROBLEMS.spaces,
  'labelName.notNfc': LABEL_NAME_PROBLEMS.notNfc,
} as const;

export type PanelStringKey = keyof typeof PANEL_STRINGS;
export type PanelStrings = Record<PanelStringKey, string>;

/** Longest translation accepted (the longest English string is about 170 characters). */
const MAX_LENGTH = 1000;

const placeholders = (s: string): string =>
  [...s.matchAll(/\{\d+\}/g)]
    .map((m) => m[0])
    .sort()
    .join();

/**
 * The table in the user's language. `t` is vscode.l10n.t: it looks the English text up in the
 * bundle and fills placeholders from its arguments, so each `{n}` is passed as itself to keep it
 * for the webview to fill.
 */
export function translatePanelStrings(t: (message: string, ...args: string[]) => string): PanelStrings {
  const out = {} as PanelStrings;
  for (const key of Object.keys(PANEL_STRINGS) as PanelStringKey[]) {
    const english = PANEL_STRINGS[key];
    const count = english.match(/\{\d+\}/g)?.length ?? 0;
    out[key] = t(english, ...Array.from({ length: count }, (_, i) => `{${i}}`));
  }
  return out;
}

/**
 * Validates the table the webview was given: a missing key, a value that is not a string, too long,
 * or with other placeholders than the English falls back to the English text (a broken
 * translation shows English, never a hole or a stray `{2}`). Unknown keys are ignored.
 */
export function parsePanelStrings(raw: unknown): PanelStrings {
  const given = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const out = { ...PANEL_STRINGS } as PanelStrings;
  for (const key of Object.keys(PANEL_STRINGS) as PanelStringKey[]) {
    const v = Object.hasOwn(given, key) ? given[key] : undefined;
    if (typeof v === 'string' && v.trim() !== '' && v.length <= MAX_LENGTH && placeholders(v) === placeholders(PANEL_STRINGS[key]))
      out[key] = v;
  }
  return out;
}

/** Fills `{0}`, `{1}`... with `args` (as plain text: the result is only ever shown as text). */
export function formatPanelString(template: string, args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));
}
