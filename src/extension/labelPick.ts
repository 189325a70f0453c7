// The items of the Label Line As... quick pick, in order. Only vscode.l10n of vscode (the unit
// tests' fake translates to English), so tests drive it.
//
// Typing part of a name must find the existing label, as the panel's chooser does
// (webview/labelChooser.ts, fuzzysort): typing `refund` with `request_refund` existing offers
// request_refund first, and a new label only after every match, so Enter never makes a second
// class by accident. VS Code re-sorts the items its own filter highlights above those it does
// not; the new-label item's label is an icon alone, so its filter never highlights it and it
// stays below every match (alwaysShow keeps it and the fuzzysort matches listed).
import fuzzysort from 'fuzzysort';
import * as vscode from 'vscode';
import { isNoneLabel } from '../engine/labels/none';
import { describeLabelNameProblem, labelNameRefusal } from '../protocol/panel';

export interface LabelPickItem {
  label: string;
  description?: string;
  alwaysShow?: boolean;
  /** The label the item gives. */
  name: string;
  /** Choosing it creates a label. */
  isNew?: true;
}

/**
 * `existing` in display order (none first, then the recent ones); `value` as typed. Empty: every
 * label. Else the labels matching it (fuzzy, best first), then the new label when no label has
 * exactly that name.
 */
export function labelPickItems(
  value: string,
  existing: readonly string[],
  recent: ReadonlySet<string>,
  current: ReadonlySet<string> = new Set(),
): LabelPickItem[] {
  const item = (name: string): LabelPickItem => {
    const notes = [
      ...(isNoneLabel(name) ? ['— fits no label'] : []),
      ...(current.has(name) ? ['current label'] : []),
      ...(recent.has(name) && !isNoneLabel(name) ? ['recently used'] : []),
    ];
    return notes.length ? { label: name, description: notes.join(' · '), name } : { label: name, name };
  };
  const v = value.trim();
  if (!v) return existing.map(item);
  const matches = fuzzysort.go(v, existing, { threshold: 0 }).map((r) => ({ ...item(r.target), alwaysShow: true }));
  if (existing.includes(v)) return matches;
  // The store refuses a bad name with the reason; say it here already.
  const refusal = labelNameRefusal(v);
  const fresh: LabelPickItem = refusal
    ? {
        label: '$(error)',
        description: vscode.l10n.t('"{0}" is not allowed: {1}', v, describeLabelNameProblem(refusal, vscode.l10n.t)),
        alwaysShow: true,
        name: v,
        isNew: true,
      }
    : { label: '$(add)', description: vscode.l10n.t('new label "{0}"', v), alwaysShow: true, name: v, isNew: true };
  return [...matches, fresh];
}

/**
 * The label an accepted pick gives. Typing replaces the items (onDidChangeValue), and the new list
 * reaches the workbench asynchronously: an Enter pressed before it arrived selects an item of the
 * old list, which the extension no longer has, so nothing is selected. Then the typed value
 * decides, as the new list shows it: its first item (the best match; the new label only when it
 * is first, so no label is created that the user did not see on top).
 */
export function acceptedLabel(
  selected: LabelPickItem | undefined,
  value: string,
  existing: readonly string[],
  recent: ReadonlySet<string>,
  current: ReadonlySet<string> = new Set(),
): string | undefined {
  return (selected ?? labelPickItems(value, existing, recent, current)[0])?.name;
}
