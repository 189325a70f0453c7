// What a person is told about the label files: a corrupt file (once per episode: the same
// corruption is not warned about again on every reload), a save that failed and one that worked
// again, a deleted file whose labels are kept, a labelsFile setting that was refused (once per
// reason). The texts are here; how they are shown is the caller's (vscode.window in the store,
// recorded calls in the unit tests).
import * as path from 'node:path';
import type { Corruption } from './folderLabels';

export interface WarningUi {
  log(message: string): void;
  /** A warning with buttons; resolves to the button pressed. */
  warn(message: string, ...actions: string[]): PromiseLike<string | undefined>;
  inform(message: string): void;
  /** Opens the label file in an editor. */
  openFile(file: string): void;
}

const OPEN_LABEL_FILE = 'Open Label File';

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
        `Few-Shot: ${path.basename(file)} has ${corrupt.problems.length} bad line(s) ` +
          `(${corrupt.problems.map((p) => p.line).join(', ')}). ${loaded} labels loaded; the file will not be ` +
          `overwritten until fixed (${corrupt.backup ? `backup: ${path.basename(corrupt.backup)}` : 'no new backup: too many kept already'}).`,
        OPEN_LABEL_FILE,
      )
      .then((choice) => {
        if (choice) this.ui.openFile(file);
      });
  }

  /** A save failed (`error`), or worked again after failing (undefined). */
  saveProblem(file: string, error: Error | undefined): void {
    if (error) {
      void this.ui.warn(
        `Few-Shot: could not save labels to ${path.basename(file)} (${error.message}). Your labels are kept in memory and ` +
          `saving is retried.`,
      );
    } else {
      this.ui.log(`${file}: saved again after failed attempts`);
      this.ui.inform(`Few-Shot: labels saved to ${path.basename(file)} again.`);
    }
  }

  fileDeleted(file: string, kept: number): void {
    void this.ui.warn(
      `Few-Shot: ${path.basename(file)} was deleted; its ${kept} labels are kept and written back. Use Clear Labels to remove them.`,
    );
  }

  /** The labelsFile setting was refused (`reason`): logged each time, shown once per reason. */
  setting(reason: string): void {
    this.ui.log(`${reason}; using .fewshot/labels.jsonl`);
    if (this.warnedSetting === reason) return;
    this.warnedSetting = reason;
    void this.ui.warn(`Few-Shot: ${reason}; labels are stored in .fewshot/labels.jsonl instead.`);
  }
}
