import assert from 'node:assert/strict';
import {
  labelNameProblem,
  lineKey,
  parseHostMessage,
  parseQuality,
  isLabelKey,
  parseSnapshot,
  parseWebviewMessage,
  type PanelSnapshot,
} from '../../src/protocol/panel';

const ref = { uri: 'file:///w/a.txt', line: 3 };
const snapshot = (): PanelSnapshot => ({
  documents: [{ uri: 'file:///w/a.txt', name: 'a.txt' }],
  lines: [
    { doc: 0, line: 0, text: 'hello', label: 'bug' },
    { doc: 0, line: 1, text: '<img src=x onerror=alert(1)>', prediction: { label: 'bug', confidence: 0.8, uncertainty: 0.3 } },
  ],
  labels: [{ name: 'bug', color: '#ff0000' }],
  stats: { backend: 'wasm', lastAdaptationMs: 12 },
});

describe('panel protocol', () => {
  describe('messages from the webview', () => {
    it('accepts ready and well-formed requests', () => {
      assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { ok: true, value: { kind: 'ready' } });
      const r = parseWebviewMessage({ kind: 'request', id: 7, method: 'setLabel', params: { ref, label: 'bug', extra: 1 } });
      assert.deepEqual(r, { ok: true, value: { kind: 'request', id: 7, method: 'setLabel', params: { ref, label: 'bug' } } });
      assert.ok(parseWebviewMessage({ kind: 'request', id: 1, method: 'quality' }).ok);
      assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 1, method: 'quality', params: { uri: 'file:///a' } }), {
        ok: true,
        value: { kind: 'request', id: 1, method: 'quality', params: { uri: 'file:///a' } },
      });
      assert.deepEqual(parseWebviewMessage({ kind: 'cancel', id: 4 }), { ok: true, value: { kind: 'cancel', id: 4 } });
      assert.ok(parseWebviewMessage({ kind: 'request', id: 5, method: 'setLabelKey', params: { name: 'bug', key: 'q' } }).ok);
      assert.ok(parseWebviewMessage({ kind: 'request', id: 6, method: 'setLabelKey', params: { name: 'bug', key: null } }).ok);
      assert.ok(parseWebviewMessage({ kind: 'request', id: 2, method: 'createLabel', params: { name: 'x', color: '#00ff00' } }).ok);
      assert.deepEqual(
        parseWebviewMessage({ kind: 'request', id: 3, method: 'setLabelColor', params: { name: 'bug', color: '#A0b1C2' } }),
        {
          ok: true,
          value: { kind: 'request', id: 3, method: 'setLabelColor', params: { name: 'bug', color: '#A0b1C2' } },
        },
      );
    });

    it('refuses wrong shapes without an answerable id', () => {
      for (const bad of [
        null,
        'ready',
        [],
        { kind: 'evil' },
        { kind: 'request', id: -1, method: 'reveal' },
        { kind: 'request', id: 1.5, method: 'reveal' },
      ]) {
        const r = parseWebviewMessage(bad);
        assert.equal(r.ok, false, JSON.stringify(bad));
        assert.ok(!('badRequest' in r));
      }
    });

    it('refuses bad methods and params with the id so the host can answer', () => {
      const cases: [unknown, RegExp][] = [
        [{ kind: 'request', id: 4, method: 'toString', params: {} }, /unknown method/],
        [{ kind: 'request', id: 4, method: 'setLabel', params: { ref: { uri: 'u', line: -2 }, label: 'a' } }, /line number/],
        [{ kind: 'request', id: 4, method: 'setLabel', params: { ref: { uri: 'u', line: 1e9 }, label: 'a' } }, /line number/],
        [{ kind: 'request', id: 4, method: 'setLabel', params: { ref, label: '' } }, /empty/],
        [{ kind: 'request', id: 4, method: 'setLabel', params: { ref, label: 'a\nb' } }, /control/],
        [{ kind: 'request', id: 4, method: 'setLabel', params: { ref, label: 'x'.repeat(65) } }, /at most 64/],
        [{ kind: 'request', id: 4, method: 'createLabel', params: { name: 'a', color: 'red;background:url(x)' } }, /#rrggbb/],
        [{ kind: 'request', id: 4, method: 'renameLabel', params: { from: 'a', to: 5 } }, /string/],
        [{ kind: 'request', id: 4, method: 'setLabelColor', params: { name: 'bug' } }, /#rrggbb/],
        [{ kind: 'request', id: 4, method: 'setLabelColor', params: { name: 'bug', color: 'url(x)' } }, /#rrggbb/],
        [{ kind: 'request', id: 4, method: 'setLabelColor', params: { name: 'bug', color: '#fff' } }, /#rrggbb/],
        [{ kind: 'request', id: 4, method: 'setLabelColor', params: { name: '', color: '#ffffff' } }, /name: .*empty/],
        [{ kind: 'request', id: 4, method: 'reveal', params: 'x' }, /object/],
      ];
      for (const [msg, why] of cases) {
        const r = parseWebviewMessage(msg);
        assert.equal(r.ok, false);
        assert.ok('badRequest' in r && r.badRequest === 4, JSON.stringify(msg));
        assert.match(r.error, why);
      }
    });
  });

  describe('messages from the host', () => {
    it('accepts a valid snapshot and responses', () => {
      const r = parseHostMessage({ kind: 'snapshot', snapshot: snapshot() });
      assert.ok(r.ok);
      assert.deepEqual(r.value, { kind: 'snapshot', snapshot: snapshot() });
      assert.deepEqual(parseHostMessage({ kind: 'response', id: 3, result: null }), {
        ok: true,
        value: { kind: 'response', id: 3, result: null },
      });
      const e = parseHostMessage({ kind: 'response', id: 3, error: { message: 'no', code: 'weird' } });
      assert.ok(e.ok && e.value.kind === 'response' && e.value.error?.code === 'internal');
    });

    it('refuses snapshots with bad references, ranges or colours', () => {
      const mutations: [(s: PanelSnapshot) => void, RegExp][] = [
        [(s) => (s.lines[0].doc = 1), /index documents/],
        [(s) => (s.lines[0].line = -1), /line number/],
        [(s) => ((s.lines[0] as { text: unknown }).text = 5), /text/],
        [(s) => (s.lines[1].prediction!.confidence = 1.5), /0\.\.1/],
        [(s) => (s.lines[1].prediction!.uncertainty = Number.NaN), /0\.\.1/],
        [(s) => ((s.lines[1].prediction as { refined: unknown }).refined = 'yes'), /refined/],
        [(s) => (s.labels[0].color = 'red'), /#rrggbb/],
        [(s) => s.labels.push({ name: 'bug', color: '#000000' }), /twice/],
        [(s) => (s.stats.lastAdaptationMs = -1), /lastAdaptationMs/],
        [(s) => (s.stats.hiddenLabels = 0), /hiddenLabels/],
        [(s) => (s.stats.hiddenLabels = 2.5), /hiddenLabels/],
        [(s) => (s.labels[0].elsewhere = -1), /elsewhere must be a count/],
        [(s) => (s.labels[0].elsewhere = 2.5), /elsewhere must be a count/],
        [(s) => ((s.labels[0] as { elsewhere: unknown }).elsewhere = '3'), /elsewhere must be a count/],
      ];
      for (const [mutate, why] of mutations) {
        const s = snapshot();
        mutate(s);
        const r = parseSnapshot(s);
        assert.equal(r.ok, false);
        assert.match((r as { error: string }).error, why);
      }
      assert.equal(parseHostMessage({ kind: 'snapshot' }).ok, false);
      assert.equal(parseHostMessage({ kind: 'response', id: 'x' }).ok, false);
      assert.equal(parseHostMessage(42).ok, false);
    });

    it('carries which predictions are refined', () => {
      const s = snapshot();
      s.lines[1]!.prediction!.refined = true;
      const r = parseSnapshot(s);
      assert.ok(r.ok);
      assert.equal(r.value.lines[1]!.prediction!.refined, true);
      const plain = parseSnapshot(snapshot());
      assert.ok(plain.ok);
      assert.equal(plain.value.lines[1]!.prediction!.refined, undefined);
    });

    it('carries the labeled lines the list does not hold, per label', () => {
      const s = snapshot();
      s.labels = [
        { name: 'bug', color: '#ff0000', elsewhere: 12 },
        { name: 'idea', color: '#00ff00', elsewhere: 0 },
      ];
      const r = parseSnapshot(s);
      assert.ok(r.ok);
      // Zero is the same as missing: none elsewhere.
      assert.deepEqual(r.value.labels, [
        { name: 'bug', color: '#ff0000', elsewhere: 12 },
        { name: 'idea', color: '#00ff00' },
      ]);
      const u = parseHostMessage({
        kind: 'update',
        update: { documents: [], replaced: [], lines: [], removed: [], labels: [{ name: 'bug', color: '#ff0000', elsewhere: 3 }] },
      });
      assert.ok(u.ok && u.value.kind === 'update');
      assert.deepEqual(u.value.update.labels, [{ name: 'bug', color: '#ff0000', elsewhere: 3 }]);
    });

    it('checks quality results', () => {
      const good = { scheme: 'k-fold', folds: 5, n: 40, correct: 31, method: 'default', document: 'a.txt' };
      assert.deepEqual(parseQuality(good), { ok: true, value: good });
      assert.ok(parseQuality({ scheme: 'leave-one-out', folds: 0, n: 0, correct: 0, method: 'default' }).ok);
      assert.equal(parseQuality({ ...good, scheme: 'bootstrap' }).ok, false);
      assert.equal(parseQuality({ ...good, correct: 41 }).ok, false, 'more right than scored');
      assert.equal(parseQuality({ ...good, n: -1 }).ok, false);
      assert.equal(parseQuality({ ...good, folds: 1.5 }).ok, false);
      assert.equal(parseQuality({ ...good, method: 7 }).ok, false);
      assert.equal(parseQuality(null).ok, false);
    });

    it('checks label keys in labels: one digit or letter, not a command key, not given twice', () => {
      const labels = (list: unknown[]) =>
        parseHostMessage({ kind: 'update', update: { documents: [], replaced: [], lines: [], removed: [], labels: list } });
      const ok = labels([
        { name: 'a', color: '#ff0000', key: '1' },
        { name: 'b', color: '#00ff00', key: 'q' },
        { name: 'c', color: '#0000ff' },
      ]);
      assert.ok(ok.ok && ok.value.kind === 'update');
      assert.deepEqual(
        ok.value.update.labels?.map((l) => l.key),
        ['1', 'q', undefined],
      );
      assert.equal(labels([{ name: 'a', color: '#ff0000', key: 'j' }]).ok, false, 'j moves the cursor');
      assert.equal(labels([{ name: 'a', color: '#ff0000', key: '12' }]).ok, false);
      assert.equal(labels([{ name: 'a', color: '#ff0000', key: 'Q' }]).ok, false);
      assert.equal(
        labels([
          { name: 'a', color: '#ff0000', key: 'q' },
          { name: 'b', color: '#00ff00', key: 'q' },
        ]).ok,
        false,
        'one key, two labels',
      );
      assert.ok(isLabelKey('1') && isLabelKey('z') && !isLabelKey('0') && !isLabelKey('l') && !isLabelKey(' ') && !isLabelKey(1));
    });

    it('refuses bad quality and key requests with their id', () => {
      for (const params of [{ uri: 5 }, { uri: '' }]) {
        const r = parseWebviewMessage({ kind: 'request', id: 8, method: 'quality', params });
        assert.ok(!r.ok && 'badRequest' in r && r.badRequest === 8);
      }
      for (const params of [{ name: 'bug', key: 'a' }, { name: 'bug', key: '' }, { name: 'bug' }, { name: '', key: 'q' }]) {
        const r = parseWebviewMessage({ kind: 'request', id: 9, method: 'setLabelKey', params });
        assert.ok(!r.ok && 'badRequest' in r && r.badRequest === 9, JSON.stringify(params));
      }
      assert.equal(parseWebviewMessage({ kind: 'cancel', id: -1 }).ok, false);
    });
  });

  it('tasks: the switch request and the task list in stats are checked on both sides', () => {
    assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 4, method: 'switchTask', params: { name: 'urgency' } }), {
      ok: true,
      value: { kind: 'request', id: 4, method: 'switchTask', params: { name: 'urgency' } },
    });
    const bad = parseWebviewMessage({ kind: 'request', id: 5, method: 'switchTask', params: { name: 'x\u202e' } });
    assert.equal(bad.ok, false);
    assert.equal('badRequest' in bad && bad.badRequest, 5);
    const withTasks = (tasks: unknown) => parseSnapshot({ ...snapshot(), stats: { backend: 'wasm', lastAdaptationMs: 1, tasks } });
    const good = withTasks({ names: ['default', 'urgency'], active: 'urgency' });
    assert.ok(good.ok && good.value.stats.tasks?.active === 'urgency');
    assert.equal(withTasks({ names: ['default'], active: 'urgency' }).ok, false, 'the active task is one of the names');
    assert.equal(withTasks({ names: ['a', 'a'], active: 'a' }).ok, false, 'no name twice');
    assert.equal(withTasks({ names: ['a\u0007'], active: 'a\u0007' }).ok, false, 'names follow the label-name rule');
    assert.equal(withTasks({ names: [], active: '' }).ok, false);
  });

  it('multi-label: the setLabels request, line and predicted sets and stats.multiLabel are checked on both sides', () => {
    const request = (labels: unknown) => parseWebviewMessage({ kind: 'request', id: 6, method: 'setLabels', params: { ref, labels } });
    assert.deepEqual(request(['bug', 'billing']), {
      ok: true,
      value: { kind: 'request', id: 6, method: 'setLabels', params: { ref, labels: ['bug', 'billing'] } },
    });
    assert.ok(request([]).ok, 'the empty set is none');
    for (const bad of [['bug', 'bug'], ['x\u202e'], 'bug', [3]]) {
      const r = request(bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.equal('badRequest' in r && r.badRequest, 6);
    }
    const s = snapshot();
    s.lines[0]!.labels = ['billing', 'bug'];
    s.lines[1]!.prediction!.labels = ['bug', 'billing'];
    s.stats.multiLabel = true;
    const r = parseSnapshot(s);
    assert.ok(r.ok);
    assert.deepEqual(r.value.lines[0]!.labels, ['billing', 'bug']);
    assert.deepEqual(r.value.lines[1]!.prediction!.labels, ['bug', 'billing']);
    assert.equal(r.value.stats.multiLabel, true);
    const plain = parseSnapshot(snapshot());
    assert.ok(plain.ok && plain.value.lines[0]!.labels === undefined && plain.value.stats.multiLabel === undefined);
    s.lines[0]!.labels = ['bug\u0007'];
    assert.equal(parseSnapshot(s).ok, false, 'set names follow the label-name rule');
    assert.equal(parseSnapshot({ ...snapshot(), stats: { backend: 'wasm', lastAdaptationMs: 1, multiLabel: 'yes' } }).ok, false);
  });

  it('names label problems and keys lines', () => {
    assert.equal(labelNameProblem('bug'), undefined);
    assert.match(labelNameProblem(' bug')!, /spaces/);
    assert.match(labelNameProblem('a\u202eb')!, /control/, 'bidi overrides could disguise a label');
    assert.equal(lineKey(ref), '3@file:///w/a.txt');
  });
});
