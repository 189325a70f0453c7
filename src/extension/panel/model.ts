// What the labeling panel needs from the rest of the extension. The label store (or a test
// fake) implements it; the panel never touches documents or the engine directly.

import type * as vscode from 'vscode';
import type { LineRef, PanelLabel, PanelPrediction, PanelStats, QualityEstimate } from '../../protocol/panel';
import type { CancelSignal } from '../../protocol/rpc';

export type { LineRef, PanelLabel, PanelPrediction, PanelStats, QualityEstimate };

/** One line of an included document, with its label or, when unlabeled, its prediction. */
export interface PanelSourceLine {
  /** The document's `Uri.toString()`. */
  uri: string;
  /** 0-based line number. */
  line: number;
  text: string;
  /** Set when the user labeled the line (in a multi-label task: the set's first label, or `none`). */
  label?: string;
  /** A multi-label task's labeled line: its set, sorted (empty: none). */
  labels?: string[];
  /** Set when the model classified the line (usually only for unlabeled lines). */
  prediction?: PanelPrediction;
}

/**
 * A hint of what changed, so the panel re-reads only those documents' lines: their URIs
 * (`Uri.toString()`), or every document when `documents` is missing (or the event has no
 * value). Labels and stats are always re-read; they are small.
 */
export interface PanelChange {
  documents?: readonly string[];
}

export interface PanelDataSource {
  /** Fires whenever lines, labels, predictions or stats changed. */
  readonly onDidChange: vscode.Event<PanelChange>;
  /** The lines of the given documents (URIs), or of every included document when undefined. */
  getLines(documents?: readonly string[]): readonly PanelSourceLine[];
  /**
   * Labels in their key order: the first one is key 1. Colours are `#rrggbb`. `elsewhere` counts
   * the label's records that getLines() does not return (closed documents, other folders,
   * detached labels), so the panel can show each label's total over all label files.
   */
  getLabels(): readonly PanelLabel[];
  getStats(): PanelStats;

  setLabel(ref: LineRef, label: string): Promise<void>;
  removeLabel(ref: LineRef): Promise<void>;
  /** A multi-label task: the line's label set becomes `labels` (empty: none). */
  setLabels(ref: LineRef, labels: string[]): Promise<void>;
  createLabel(name: string, color?: string): Promise<void>;
  /** Renames the label everywhere it is used (the store follows). */
  renameLabel(from: string, to: string): Promise<void>;
  /** Gives the label a new colour (the editor decorations follow). */
  setLabelColor(name: string, color: string): Promise<void>;
  /** Deletes the label and its uses. The panel has already asked the user. */
  deleteLabel(name: string): Promise<void>;
  /** Shows the line in its editor. */
  reveal(ref: LineRef): Promise<void>;
  /** Gives a label a key (null: its default digit); another label holding that key loses it. */
  setLabelKey(name: string, key: string | null): Promise<void>;
  /** Makes a task (label set) the active one (the label store follows; the panel is sent its lines again). */
  switchTask(name: string): Promise<void>;
  /**
   * Cross-validated accuracy of the model that classifies the document `uri` (or the first
   * listed one): its folder's labeled lines, its lines as the pool. Stops when `signal` fires.
   */
  estimateQuality(uri: string | undefined, signal: CancelSignal): Promise<QualityEstimate>;
}
