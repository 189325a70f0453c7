// The product in the user's language, the VS Code way: the manifest's strings are %keys% of
// package.nls.json (English) with a package.nls.<lang>.json per language, and the extension's
// messages go through vscode.l10n.t with l10n/bundle.l10n.<lang>.json. These tests keep every
// language complete: a string added in English without its translation fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LEFT_OUT_NOTES } from '../../src/engine/data/dataset';
import { SUPPORT_PROBLEMS } from '../../src/engine/support';
import { JSONL_PROBLEMS } from '../../src/engine/data/jsonl';
import { READ_PROBLEMS } from '../../src/engine/data/text-file';
import { ENGINE_INPUT_ERRORS } from '../../src/engine/engine';
import { ADAPTATION_NOTES } from '../../src/engine/learners/adaptation';
import { LABEL_SET_MESSAGES } from '../../src/engine/multiLabel';
import { ENGINE_INFO_LINES } from '../../src/extension/commands';
import { ENGINE_CLIENT_MESSAGES } from '../../src/extension/engineClient';
import { LABEL_FILE_MESSAGES } from '../../src/extension/labelFile';
import { WORKER_MESSAGES } from '../../src/protocol/workerMessages';
import { LABEL_LIMIT_PROBLEM } from '../../src/protocol/panel';
import { PANEL_STRINGS } from '../../src/protocol/panelStrings';
import { branches, callArguments, literalText, operands, skipExpression, withoutComments } from '../sourceScan';

const ROOT = path.resolve(__dirname, '../../..');
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const LANGUAGES = ['zh-cn'];

function manifestKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const m = /^%([^%]+)%$/.exec(value);
    if (m) out.add(m[1] as string);
  } else if (Array.isArray(value)) for (const v of value) manifestKeys(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) manifestKeys(v, out);
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The literal first arguments of vscode.l10n.t in src/extension. */
function messageKeys(): Set<string> {
  const keys = new Set<string>();
  for (const file of sourceFiles(path.join(ROOT, 'src/extension'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\bl10n\.t\(\s*(['"])((?:\\.|(?!\1).)*)\1/g))
      keys.add(JSON.parse(`"${(m[2] as string).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`));
    // A call whose first argument is not a literal could not be translated.
    for (const m of text.matchAll(/\bl10n\.t\(\s*([^'"\s])/g))
      assert.fail(`${path.relative(ROOT, file)}: l10n.t(${m[1]}...) needs a literal message`);
  }
  // The labeling panel's strings go through the same bundle (src/extension/panel/index.ts).
  for (const english of Object.values(PANEL_STRINGS)) keys.add(english);
  // The label file's messages are translated by their English (labelStore.ts: sayLabelFileMessage with vscode.l10n.t).
  for (const english of Object.values(LABEL_FILE_MESSAGES)) keys.add(english);
  // So is the labeled set's problem (supportProblem with vscode.l10n.t).
  for (const english of Object.values(SUPPORT_PROBLEMS)) keys.add(english);
  keys.add(LABEL_LIMIT_PROBLEM);
  for (const english of Object.values(LEFT_OUT_NOTES)) keys.add(english);
  // What the worker, the engine and the engine client say (errors and adaptation notes): they carry
  // their template, which the extension says through vscode.l10n.t (errorText, the note's template).
  for (const table of [
    WORKER_MESSAGES,
    ENGINE_INPUT_ERRORS,
    ADAPTATION_NOTES,
    LABEL_SET_MESSAGES,
    ENGINE_CLIENT_MESSAGES,
    JSONL_PROBLEMS,
    READ_PROBLEMS,
    ENGINE_INFO_LINES,
  ])
    for (const english of Object.values(table)) keys.add(english);
  return keys;
}

/**
 * Literals the extension shows without vscode.l10n.t: the arguments of a notification
 * (showInformationMessage / showWarningMessage / showErrorMessage: the message and its buttons), of
 * LabelWarnings' warn / inform, of a tooltip's appendMarkdown and of a LabelError or RpcError (the command's message), and what is given to a
 * status bar item's text or tooltip, a notification's detail, a progress title, a quick pick's
 * placeHolder or an input box's prompt. Log lines (the output channel) stay English and are not
 * looked at.
 */
function unwrappedMessages(code: string): string[] {
  const expressions: string[] = [];
  for (const m of code.matchAll(/(?:\bshow(?:Information|Warning|Error)Message|\.warn|\.inform|\.appendMarkdown|\bnew LabelError)\(/g))
    expressions.push(...callArguments(code, (m.index as number) + m[0].length));
  // An RpcError's message reaches the command's error message or the panel; a cancellation's is never shown.
  for (const m of code.matchAll(/\bnew RpcError\(/g)) {
    const [message, errorCode] = callArguments(code, (m.index as number) + m[0].length);
    if (message !== undefined && errorCode?.trim() !== "'cancelled'") expressions.push(message);
  }
  for (const m of code.matchAll(
    /(?:\.(?:text|name)\s*=(?!=)|\btext\s*:|\b(?:tooltip|detail|description|title|placeHolder|prompt)\s*(?::|=(?!=)))\s*/g,
  )) {
    const at = (m.index as number) + m[0].length;
    expressions.push(code.slice(at, skipExpression(code, at)));
  }
  // A codicon ($(tag)) or an escape (\n) is not text to translate.
  return expressions
    .flatMap((e) => shownValues(e, code))
    .filter((b) => /\p{L}/u.test((literalText(b) ?? '').replace(/\$\([\w-]+\)|\\./g, '')))
    .map((b) => b.replace(/\s+/g, ' '));
}

/**
 * What a shown expression may be made of: the branches of a ternary, the operands of a `+`, an
 * array's elements (a notification's buttons spread from one), and a variable's value where it is
 * declared in the same file (`const text = ...; showInformationMessage(text)`).
 */
function shownValues(expr: string, code: string, depth = 0): string[] {
  if (depth > 5) return [];
  const enclosed = (e: string, open: string, close: string) => e.startsWith(open) && skipExpression(e, 1, close) === e.length - 1;
  return branches(expr)
    .flatMap(operands)
    .flatMap((operand) => {
      const e = operand.replace(/^\.\.\./, '').trim();
      if (enclosed(e, '(', ')')) return shownValues(e.slice(1, -1), code, depth + 1);
      if (enclosed(e, '[', ']')) return callArguments(e, 1).flatMap((x) => shownValues(x, code, depth + 1));
      if (/^[A-Za-z_$][\w$]*$/.test(e))
        return [...code.matchAll(new RegExp(`\\b(?:const|let)\\s+${e.replace(/\$/g, '\\$')}\\s*(?::[^=;]*)?=(?!=)\\s*`, 'g'))].flatMap(
          (m) => {
            const at = (m.index as number) + m[0].length;
            return shownValues(code.slice(at, skipExpression(code, at)), code, depth + 1);
          },
        );
      return [e];
    });
}

const placeholders = (s: string) => [...s.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();

describe('localisation', () => {
  it('every %key% of the manifest has its English text, and nothing in package.nls.json is unused', () => {
    const used = manifestKeys(readJson('package.json'));
    const english = readJson('package.nls.json');
    assert.ok(used.size > 50, `only ${used.size} keys: is the manifest localised at all?`);
    assert.deepEqual(
      [...used].filter((k) => typeof english[k] !== 'string'),
      [],
    );
    assert.deepEqual(
      Object.keys(english).filter((k) => !used.has(k)),
      [],
    );
    assert.equal(readJson('package.json').l10n, './l10n');
  });

  for (const lang of LANGUAGES) {
    it(`package.nls.${lang}.json translates every manifest string, with the same placeholders and command links`, () => {
      const english = readJson('package.nls.json');
      const translated = readJson(`package.nls.${lang}.json`);
      assert.deepEqual(Object.keys(translated).sort(), Object.keys(english).sort());
      for (const [key, text] of Object.entries(english)) {
        const t = translated[key];
        assert.ok(typeof t === 'string' && t.trim() !== '', `${key} is empty`);
        assert.deepEqual(placeholders(t), placeholders(text as string), key);
        const links = (s: string) => [...s.matchAll(/\(command:[\w.]+\)/g)].map((m) => m[0]);
        assert.deepEqual(links(t), links(text as string), `${key}: command links`);
      }
    });

    it(`l10n/bundle.l10n.${lang}.json translates every vscode.l10n.t message, with the same placeholders`, () => {
      const keys = messageKeys();
      const bundle = readJson(`l10n/bundle.l10n.${lang}.json`);
      assert.ok(keys.size >= 20, `only ${keys.size} messages found`);
      assert.deepEqual([...keys].filter((k) => typeof bundle[k] !== 'string').sort(), [], 'messages without a translation');
      assert.deepEqual(
        Object.keys(bundle).filter((k) => !keys.has(k)),
        [],
        'translations of messages no longer used',
      );
      for (const k of keys) assert.deepEqual(placeholders(bundle[k] as string), placeholders(k), k);
    });
  }

  it('finds messages shown without l10n.t (the scan below cannot pass vacuously)', () => {
    const planted = [
      `void vscode.window.showInformationMessage(\`Few-Shot: imported \${n} labels.\`);`,
      `vscode.window.showWarningMessage(vscode.l10n.t('Few-Shot: delete {0}?', name), { modal: true }, 'Delete')`,
      `void vscode.window.showErrorMessage(ok ? vscode.l10n.t('Saved.') : 'Not saved.');`,
      `throw new LabelError(\`There is no task named \${name}.\`);`,
      `throw new RpcError('Open a folder first.', 'input');`,
      `throw new RpcError(\`\${name} is not in the panel\`, 'input');`,
      `void this.ui.warn(\`Few-Shot: \${path.basename(file)} was deleted.\`);`,
      `throw new LabelError(\n  \`\${name} is not a document Few-Shot classifies \` +\n    \`(see the settings).\`,\n);`,
      `item.text = '$(tag) Few-Shot';`,
      `item.tooltip = \`Few-Shot classifies \${kind}\`;`,
      `vscode.window.withProgress({ location, title: 'Few-Shot: classifying' }, run)`,
      `await vscode.window.showQuickPick(items, { placeHolder: 'Choose a label' })`,
      `showInformationMessage(text, { modal: false, detail: 'The engine is ready' })`,
      `return { text: \`$(warning) Few-Shot: no text \${kind}\`, column: null };`,
      `item.name = 'Few-Shot Text Field';`,
      `tip.appendMarkdown(\`**Few-Shot Labeler**\\n\\n\${count}\`);`,
      `const text = done\n  ? 'Few-Shot: cancelled.'\n  : vscode.l10n.t('Few-Shot: done.');\nvoid vscode.window.showInformationMessage(text);`,
      `const actions = [...(refine ? [refine] : []), ...(skipped ? ['Show Log'] : [])];\nshowInformationMessage(t, ...actions);`,
      `const item = { label: c, description: chosen ? 'current (chosen)' : undefined };`,
    ];
    for (const code of planted) assert.ok(unwrappedMessages(code).length > 0, code);
    const routed = [
      `void vscode.window.showInformationMessage(vscode.l10n.t('Few-Shot: imported {0} labels.', n));`,
      `vscode.window.showWarningMessage(vscode.l10n.t('Few-Shot: delete {0}?', name), { modal: true }, del)`,
      `throw new LabelError(vscode.l10n.t('There is no task named {0}.', name));`,
      `if (signal.isCancellationRequested) throw new RpcError(\`\${method} cancelled\`, 'cancelled');`,
      `const message = vscode.l10n.t('Few-Shot: {0}.', summary);\nvoid vscode.window.showWarningMessage(message);`,
      `const actions = [...(refine ? [refine] : []), vscode.l10n.t('Show Log')];\nshowInformationMessage(t, ...actions);`,
      `item.text = \`$(layers) \${active.name}\`;`,
      `tip.appendMarkdown(\`\${vscode.l10n.t('Last error: {0}', error)}\\n\\n\`);`,
      `item.text = \`$(symbol-field) \${vscode.l10n.t('Few-Shot text: {0}', column)}\`;`,
      `this.ui\n  .warn(vscode.l10n.t('Few-Shot: {0} has bad lines.', name), open)`,
      `if (old && old.text === text) continue;`,
      `output.appendLine(\`\${file}: saved again after failed attempts\`);`,
    ];
    for (const code of routed) assert.deepEqual(unwrappedMessages(code), [], code);
  });

  /**
   * Errors the worker, the protocol's checks and the engine raise with a literal message: they
   * cross to the extension as text nobody can translate. They must be RpcError.said /
   * EngineInputError.of with a table's template (a cancellation is never shown).
   */
  const untemplatedErrors = (code: string): string[] =>
    [...code.matchAll(/\bnew (?:RpcError|EngineInputError)\(/g)].flatMap((m) => {
      const [message, errorCode] = callArguments(code, (m.index as number) + m[0].length);
      if (message === undefined || errorCode?.trim() === "'cancelled'") return [];
      return shownValues(message, code).filter((v) => /\p{L}/u.test(literalText(v) ?? ''));
    });

  it('finds worker and engine errors raised without a template (the scan below cannot pass vacuously)', () => {
    const planted = [
      `throw new RpcError('the export never overwrites its source', 'input');`,
      `throw new RpcError(\`cannot read \${file}: \${why}\`, 'input');`,
      `stalled = new RpcError(\n  \`Classify Workspace stopped: \${file.path}\` +\n    ' was not done',\n  'internal',\n);`,
      `if (!method) throw new EngineInputError(\`unknown method '\${name}'\`);`,
    ];
    for (const code of planted) assert.ok(untemplatedErrors(code).length > 0, code);
    const routed = [
      `throw RpcError.said('input', WORKER_MESSAGES.exportOverwrites);`,
      `throw new RpcError('classify cancelled', 'cancelled');`,
      `if (stopped()) throw new RpcError(\`\${method} cancelled\`, 'cancelled');`,
      `throw new EngineInputError(said(ENGINE_INPUT_ERRORS.unknownMethod, name, list));`,
      `pending.reject(new RpcError(text, code, checkMessageTemplate({ template, params }, text)));`,
    ];
    for (const code of routed) assert.deepEqual(untemplatedErrors(code), [], code);
  });

  it('src/worker, src/protocol and src/engine raise no error with an untranslatable message', () => {
    const offenders = ['src/worker', 'src/protocol', 'src/engine']
      .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
      .flatMap((file) =>
        untemplatedErrors(withoutComments(fs.readFileSync(file, 'utf8'))).map((s) => `${path.relative(ROOT, file)}: ${s}`),
      );
    assert.deepEqual(offenders, []);
  });

  it('src/extension shows no message without l10n.t', () => {
    const offenders = sourceFiles(path.join(ROOT, 'src/extension')).flatMap((file) =>
      unwrappedMessages(withoutComments(fs.readFileSync(file, 'utf8'))).map((s) => `${path.relative(ROOT, file)}: ${s}`),
    );
    assert.deepEqual(offenders, []);
  });

  // VS Code reads a walkthrough step's markdown as `<page>.nls.<language>.md` beside the page
  // when there is one (then `<page>.nls.<language without region>.md`, then the page itself).
  const steps = () => {
    const walkthroughs = (
      readJson('package.json').contributes as { walkthroughs: Array<{ steps: Array<{ id: string; media: { markdown?: string } }> }> }
    ).walkthroughs;
    return walkthroughs.flatMap((w) => w.steps);
  };
  /** What a translation must keep: headings, list items, table rows, code blocks and their text, inline code, command links. */
  const shape = (markdown: string) => {
    const lines = markdown.split('\n');
    const fences = markdown.match(/```[\s\S]*?```/g) ?? [];
    return {
      headings: lines.filter((l) => /^#+ /.test(l)).map((l) => /^#+/.exec(l)?.[0]),
      listItems: lines.filter((l) => /^\s*(?:[-*]|\d+\.)\s/.test(l)).length,
      tableRows: lines.filter((l) => /^\|/.test(l)).length,
      codeBlocks: fences,
      inlineCode: [...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`[^`\n]+`/g)].map((m) => m[0]).sort(),
      commandLinks: [...markdown.matchAll(/\(command:[\w.]+[^)]*\)/g)].map((m) => m[0]),
    };
  };

  it('every walkthrough step names a markdown page that is there', () => {
    const all = steps();
    assert.ok(all.length >= 5, `only ${all.length} steps`);
    for (const step of all) {
      const page = step.media.markdown;
      assert.ok(page, `${step.id} has no markdown page`);
      assert.ok(fs.statSync(path.join(ROOT, page)).size > 0, `${step.id}: ${page} is empty`);
    }
  });

  for (const lang of LANGUAGES) {
    it(`every walkthrough page has its ${lang} page (.nls.${lang}.md), translated and with the same structure`, () => {
      const pages = steps().flatMap((s) => s.media.markdown ?? []);
      for (const page of pages) {
        const localized = page.replace(/\.md$/, `.nls.${lang}.md`);
        assert.ok(fs.existsSync(path.join(ROOT, localized)), `${localized} is missing`);
        const english = fs.readFileSync(path.join(ROOT, page), 'utf8');
        const translated = fs.readFileSync(path.join(ROOT, localized), 'utf8');
        assert.deepEqual(shape(translated), shape(english), localized);
        // Translated, not copied: the prose outside code differs from the English.
        const prose = (md: string) => md.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]+`/g, '');
        assert.notEqual(prose(translated), prose(english), `${localized} is the English page`);
        if (lang.startsWith('zh')) assert.match(prose(translated), /\p{Script=Han}/u, `${localized} has no Chinese`);
      }
      // No page of this language without its English page (a renamed step would leave one behind).
      const dirs = [...new Set(pages.map((p) => path.dirname(p)))];
      const orphans = dirs.flatMap((d) =>
        fs
          .readdirSync(path.join(ROOT, d))
          .filter((f) => f.endsWith(`.nls.${lang}.md`))
          .map((f) => path.join(d, f.replace(`.nls.${lang}.md`, '.md')))
          .filter((p) => !pages.includes(p)),
      );
      assert.deepEqual(orphans, []);
    });
  }

  it('the VSIX takes the translations along', () => {
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!package.nls*.json') && ignore.includes('!l10n/**'));
  });
});
