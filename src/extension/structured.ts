// Structured documents (CSV, TSV, JSONL) in the editor: which documents are structured, which
// column is their text (detected, or chosen with Few-Shot: Choose Text Column and remembered per
// file in the workspace state), and their records, read in the engine worker (csv-parse takes about
// 0.2 s per MB: too long for the extension host's main thread) and cached per document version.
// The label store anchors labels to records through it (UnitSource).
import * as vscode from 'vscode';
import {
  formatOfPath,
  recordAt,
  unitLines,
  UNPACK_CHUNK,
  unpackRecords,
  type DataRecord,
  type PackedTable,
  type RecordFormat,
  type RecordTable,
} from '../engine/data/records';
import { CancelSource, RpcError } from '../protocol/rpc';
import type { RecordsParams } from '../protocol/worker';
import type { EngineClient } from './engineClient';
import type { DocumentUnits, UnitSource } from './labelStore';

/** Workspace state key: document URI -> chosen text column. */
export const TEXT_COLUMNS_KEY = 'fewshot.textColumns';

const LANGUAGE_FORMATS: Record<string, RecordFormat> = { csv: 'csv', tsv: 'tsv', jsonl: 'jsonl' };

interface Known {
  version: number;
  column: string | undefined;
  table: RecordTable;
  units: DocumentUnits;
}

interface Reading {
  version: number;
  column: string | undefined;
  cancel: CancelSource;
  done: Promise<RecordTable | undefined>;
}

export class StructuredDocuments implements UnitSource, vscode.Disposable {
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Reading>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly read = new vscode.EventEmitter<vscode.TextDocument>();
  /** Fires when a document's records for its current version are known. */
  readonly onDidRead = this.read.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly memento: vscode.Memento,
    private readonly log: (m: string) => void,
  ) {}

  formatOf(doc: vscode.TextDocument): RecordFormat | undefined {
    return formatOfPath(doc.uri.path) ?? LANGUAGE_FORMATS[doc.languageId];
  }

  /** How the worker reads the document; undefined for a plain document. */
  paramsOf(doc: vscode.TextDocument): RecordsParams | undefined {
    const format = this.formatOf(doc);
    if (!format) return undefined;
    const column = this.memento.get<Record<string, string>>(TEXT_COLUMNS_KEY, {})[doc.uri.toString()];
    // A saved file's own bytes keep its cells' line breaks, which the editor's copy normalises.
    const saved = doc.uri.scheme === 'file' && !doc.isDirty ? { path: doc.uri.fsPath } : {};
    return column === undefined ? { format, ...saved } : { format, column, ...saved };
  }

  /** The text columns chosen for local files, by file-system path: what Classify Workspace reads closed files with. */
  chosenColumns(): Record<string, string> {
    return columnsByPath(this.memento.get<Record<string, string>>(TEXT_COLUMNS_KEY, {}));
  }

  /** The records of the document's current version, if read. */
  tableOf(doc: vscode.TextDocument): RecordTable | undefined {
    return this.current(doc)?.table;
  }

  unitsOf(doc: vscode.TextDocument): DocumentUnits | 'pending' | undefined {
    if (!this.formatOf(doc)) return undefined;
    // Reading is started by the extension (on open and on edits), not here: this runs per keystroke.
    return this.current(doc)?.units ?? 'pending';
  }

  /** The records last read for the document, even if it was edited since (what the status bar describes between reads). */
  lastTableOf(uri: vscode.Uri): RecordTable | undefined {
    return this.known.get(uri.toString())?.table;
  }

  lastUnitsOf(uri: vscode.Uri): DocumentUnits | undefined {
    return this.known.get(uri.toString())?.units;
  }

  /** Reads the document's records after `delayMs` (edits restart the wait). */
  schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.formatOf(doc) || doc.uri.scheme !== 'file') return;
    const key = doc.uri.toString();
    const r = this.reading.get(key);
    if (r && r.version === doc.version && r.column === this.paramsOf(doc)?.column) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.tableFor(doc);
      }, delayMs),
    );
  }

  /** The records of the document's current version, reading them when needed; undefined for a plain or closed document. */
  tableFor(doc: vscode.TextDocument): Promise<RecordTable | undefined> {
    const params = this.paramsOf(doc);
    if (!params || doc.isClosed) return Promise.resolve(undefined);
    const known = this.current(doc);
    if (known) return Promise.resolve(known.table);
    const key = doc.uri.toString();
    const pending = this.reading.get(key);
    if (pending && pending.version === doc.version && pending.column === params.column) return pending.done;
    pending?.cancel.cancel();
    const cancel = new CancelSource();
    const version = doc.version;
    const started = Date.now();
    const done = this.engine
      .records({ ...params, text: doc.getText() }, cancel)
      .then(unpack)
      .then(
        (table) => {
          if (this.reading.get(key)?.cancel === cancel) this.reading.delete(key);
          if (cancel.isCancellationRequested || doc.isClosed || doc.version !== version) return undefined;
          this.known.set(key, { version, column: params.column, table, units: toUnits(table, doc.lineCount) });
          const problems = table.problems.length ? `; ${table.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}` : '';
          this.log(
            `${vscode.workspace.asRelativePath(doc.uri)}: ${table.records.length} ${params.format} records, text column ` +
              `${table.column ?? '(none)'}, read in ${Date.now() - started} ms${problems}`,
          );
          this.read.fire(doc);
          return table;
        },
        (error: unknown) => {
          if (this.reading.get(key)?.cancel === cancel) this.reading.delete(key);
          if (!(error instanceof RpcError && error.code === 'cancelled'))
            this.log(`could not read the records of ${vscode.workspace.asRelativePath(doc.uri)}: ${String(error)}`);
          return undefined;
        },
      );
    this.reading.set(key, { version, column: params.column, cancel, done });
    return done;
  }

  /** Remembers the document's text column (undefined: detect it again) and re-reads it. */
  async setColumn(doc: vscode.TextDocument, column: string | undefined): Promise<RecordTable | undefined> {
    const columns = { ...this.memento.get<Record<string, string>>(TEXT_COLUMNS_KEY, {}) };
    if (column === undefined) delete columns[doc.uri.toString()];
    else columns[doc.uri.toString()] = column;
    await this.memento.update(TEXT_COLUMNS_KEY, columns);
    return this.tableFor(doc);
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.reading.get(key)?.cancel.cancel();
    this.reading.delete(key);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.known.delete(key);
  }

  dispose(): void {
    for (const key of [...this.known.keys(), ...this.reading.keys()]) this.forget(vscode.Uri.parse(key));
    this.read.dispose();
  }

  private current(doc: vscode.TextDocument): Known | undefined {
    const k = this.known.get(doc.uri.toString());
    return k && k.version === doc.version && k.column === this.paramsOf(doc)?.column ? k : undefined;
  }
}

/** Remembered columns (by document URI) as the worker's workspace run names files: by file-system path, local files only. */
export function columnsByPath(byUri: Record<string, string>): Record<string, string> {
  const byPath: Record<string, string> = {};
  for (const [uri, column] of Object.entries(byUri)) {
    const parsed = vscode.Uri.parse(uri);
    if (parsed.scheme === 'file') byPath[parsed.fsPath] = column;
  }
  return byPath;
}

function toUnits(table: RecordTable, lineCount: number): DocumentUnits {
  return {
    lines: unitLines(table, lineCount),
    startOf: (line) => recordAt(table, line)?.line ?? -1,
    endOf: (line) => recordAt(table, line)?.endLine ?? line,
  };
}

/** The worker's packed table as records, unpacked in chunks so no main-thread task runs long. */
async function unpack(packed: PackedTable): Promise<RecordTable> {
  const records: DataRecord[] = [];
  const n = packed.lines.length;
  for (let from = 0; from < n; from += UNPACK_CHUNK) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    unpackRecords(packed, from, Math.min(n, from + UNPACK_CHUNK), records);
  }
  const { format, columns, samples, column, headerLine, problems } = packed;
  return { format, columns, samples, column, headerLine, problems, records };
}
