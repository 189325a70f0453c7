// What a person is told about the label files: a corrupt file (once per episode: the same
// corruption is not warned about again on every reload), a save that failed and one that worked
// again, a deleted file whose labels are kept, a labelsFile setting that was refused (once per
// reason). The texts are here; how they are shown is the caller's (vscode.window in the store,
// recorded calls in the unit tests).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Corruption } from './folderLabels';
import { labelFileErrorText } from './labelFile';

export interface WarningUi {
  log(message: string): void;
  /** A warning with buttons; resolves to the button pressed. */
  warn(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  inform(message: string): void;
  /** Opens the label file in an editor. */
  openFile(file: string): void;
}

export class LabelWarnings {
  private warnedSetting: string | undefined;
  /** Per label file, the corruption last warned about. */
  private readonly warnedCorruption = new Map<string, Corruption>();

  constructor(private readonly ui: WarningUi) {}

  /** The file has bad lines: says which, how many labels loaded, and that it will not be overwritten (once per corruption). */
  corruption(file: string, corrupt: Corruption | undefined, loaded: number): void {
    if (!corrupt || this.warnedCorruption.get(file) === corrupt) return;
    this.warnedCorruption.set(file, corrupt);
    void this.ui
      .warn(
        vscode.l10n.t(
          'Few-Shot: {0} has {1} bad line(s) ({2}). {3} labels loaded; the file will not be overwritten until fixed ({4}).',
          path.basename(file),
          corrupt.problems.length,
          corrupt.problems.map((p) => p.line).join(', '),
          loaded,
          corrupt.backup
            ? vscode.l10n.t('backup: {0}', path.basename(corrupt.backup))
            : vscode.l10n.t('no new backup: too many kept already'),
        ),
        vscode.l10n.t('Open Label File'),
      )
      .then((choice) => {
        if (choice) this.ui.openFile(file);
      });
  }

  /** A save failed (`error`), or worked again after failing (undefined). */
  saveProblem(file: string, error: Error | undefined): void {
    if (error) {
      void this.ui.warn(
        vscode.l10n.t(
          'Few-Shot: could not save labels to {0} ({1}). Your labels are kept in memory and saving is retried.',
          path.basename(file),
          labelFileErrorText(error, vscode.l10n.t),
        ),
      );
    } else {
      this.ui.log(`${file}: saved again after failed attempts`);
      this.ui.inform(vscode.l10n.t('Few-Shot: labels saved to {0} again.', path.basename(file)));
    }
  }

  fileDeleted(file: string, kept: number): void {
    void this.ui.warn(
      vscode.l10n.t(
        'Few-Shot: {0} was deleted; its {1} labels are kept and written back. Use Clear Labels to remove them.',
        path.basename(file),
        kept,
      ),
    );
  }

  /** The labelsFile setting was refused (`reason`, `shown` in the user's language): logged each time, shown once per reason. */
  setting(reason: string, shown = reason): void {
    this.ui.log(`${reason}; using .fewshot/labels.jsonl`);
    if (this.warnedSetting === reason) return;
    this.warnedSetting = reason;
    void this.ui.warn(vscode.l10n.t('Few-Shot: {0}; labels are stored in .fewshot/labels.jsonl instead.', shown));
  }
}
