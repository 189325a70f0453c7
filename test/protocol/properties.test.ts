// Property-based tests of the protocol validators (src/protocol/*.ts): whatever arrives, they
// answer (never throw), a well-formed message passes unchanged, and a bad field is refused.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fc from 'fast-check';
import {
  LIMITS,
  labelLimitProblem,
  labelNameProblem,
  parseHostMessage,
  parseWebviewMessage,
  type PanelSnapshot,
  visibleName,
} from '../../src/protocol/panel';
import { isRpcMessage } from '../../src/protocol/rpc';
import { isLog, isReady } from '../../src/protocol/worker';

const UNSAFE = [0x0, 0x7, 0x1b, 0x7f, 0x85, 0x61c, 0x200b, 0x200e, 0x200f, 0x2028, 0x202a, 0x202e, 0x2066, 0x2069, 0xfeff];
const safeName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && s.length <= LIMITS.labelName && labelNameProblem(s) === undefined);
const color = fc.constantFrom('#112233', '#abcdef', '#FF0000');
const uri = fc.webUrl().map((u) => u.replace(/^https?/, 'file'));
const ref = fc.record({ uri, line: fc.nat(LIMITS.lineNumber) });
const id = fc.nat();

const validRequest = fc.oneof(
  fc.record({ method: fc.constant('setLabel'), params: fc.record({ ref, label: safeName }) }),
  fc.record({ method: fc.constant('removeLabel'), params: fc.record({ ref }) }),
  fc.record({ method: fc.constant('reveal'), params: fc.record({ ref }) }),
  fc.record({ method: fc.constant('createLabel'), params: fc.record({ name: safeName, color }) }),
  fc.record({ method: fc.constant('renameLabel'), params: fc.record({ from: safeName, to: safeName }) }),
  fc.record({ method: fc.constant('deleteLabel'), params: fc.record({ name: safeName }) }),
  fc.record({ method: fc.constant('setLabelColor'), params: fc.record({ name: safeName, color }) }),
  fc.record({ method: fc.constant('quality'), params: fc.oneof(fc.constant({}), fc.record({ uri })) }),
  fc.record({
    method: fc.constant('setLabelKey'),
    params: fc.record({ name: safeName, key: fc.oneof(fc.constant(null), fc.constantFrom('1', '5', 'b', 'q', 'z')) }),
  }),
);

describe('protocol validators (properties)', () => {
  it('never throw on any input', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        parseWebviewMessage(raw);
        parseHostMessage(raw);
        isRpcMessage(raw);
        isReady(raw);
        isLog(raw);
        labelNameProblem(raw);
      }),
      { numRuns: 2000 },
    );
  });

  it('accept every well-formed webview request unchanged, after a JSON round trip', () => {
    fc.assert(
      fc.property(id, validRequest, (n, r) => {
        const message = JSON.parse(JSON.stringify({ kind: 'request', id: n, ...r })) as unknown;
        const parsed = parseWebviewMessage(message);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.deepEqual(parsed.value, message);
      }),
    );
  });

  it('refuse a request whose label name holds a control, bidi or invisible character', () => {
    fc.assert(
      fc.property(id, ref, safeName, fc.constantFrom(...UNSAFE), fc.nat(20), (n, r, name, code, at) => {
        const i = Math.min(at, name.length);
        const bad = `${name.slice(0, i)}${String.fromCodePoint(code)}${name.slice(i)}`;
        const parsed = parseWebviewMessage({ kind: 'request', id: n, method: 'setLabel', params: { ref: r, label: bad } });
        assert.equal(parsed.ok, false);
        assert.ok('badRequest' in parsed && parsed.badRequest === n);
        // Printed, the name shows its escapes and none of the characters themselves.
        assert.equal(labelNameProblem(visibleName(bad).replace(/\\u\{[0-9a-f]+\}/g, 'x')), undefined);
      }),
    );
  });

  it('accept every well-formed snapshot and keep it as sent', () => {
    const snapshot = fc
      .record({
        documents: fc.uniqueArray(uri, { minLength: 1, maxLength: 4 }),
        labels: fc.uniqueArray(safeName, { maxLength: 6 }),
        lines: fc.array(fc.record({ doc: fc.nat(3), line: fc.nat(1000), text: fc.string({ maxLength: 30 }) }), { maxLength: 20 }),
        ms: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      })
      .map(
        ({ documents, labels, lines, ms }): PanelSnapshot => ({
          documents: documents.map((u) => ({ uri: u, name: u.slice(-20) })),
          labels: labels.map((name) => ({ name, color: '#123456' })),
          lines: lines.map((l) => ({ ...l, doc: l.doc % documents.length })),
          stats: { backend: 'wasm', lastAdaptationMs: ms },
        }),
      );
    fc.assert(
      fc.property(snapshot, (s) => {
        const parsed = parseHostMessage({ kind: 'snapshot', snapshot: s });
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.deepEqual(parsed.value, { kind: 'snapshot', snapshot: s });
      }),
    );
  });

  it('refuse a snapshot line that points past the document table', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), (extra) => {
        const s = {
          documents: [{ uri: 'file:///a', name: 'a' }],
          labels: [],
          lines: [{ doc: extra, line: 0, text: 'x' }],
          stats: { backend: 'x', lastAdaptationMs: null },
        };
        assert.equal(parseHostMessage({ kind: 'snapshot', snapshot: s }).ok, false);
      }),
    );
  });

  it('the label limit: any name in use passes, a new one past the panel limit is refused with the number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LIMITS.labels + 5 }), safeName, (n, name) => {
        const existing = new Set(Array.from({ length: n }, (_, i) => `label ${i}`));
        const problem = labelLimitProblem(existing, name);
        if (existing.has(name) || n < LIMITS.labels) assert.equal(problem, undefined);
        else assert.match(problem!, new RegExp(`${LIMITS.labels}`));
      }),
    );
    // In the user's language through the translation the extension passes (vscode.l10n.t).
    const zh: Record<string, string> = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8'));
    const t = (message: string, ...args: string[]) => zh[message]!.replace(/\{(\d+)\}/g, (_, i: string) => args[Number(i)]!);
    const full = new Set(Array.from({ length: LIMITS.labels }, (_, i) => `label ${i}`));
    assert.equal(
      labelLimitProblem(full, 'one more', t),
      `已有 ${LIMITS.labels} 个标签，这是标注面板最多能显示的数量（${LIMITS.labels}）；请先复用或删除一个标签`,
    );
  });
});
