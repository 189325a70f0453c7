import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { formulaSafe, labelColumnNames, writeDataset, type RecordLabel } from '../../../src/engine/data/dataset';
import {
  type DataRecord,
  formatOfPath,
  packTable,
  parseRecords,
  recordAt,
  unitLines,
  unpackRecords,
  withoutFields,
} from '../../../src/engine/data/records';
import { SUPPORT_QUERIES } from '../../supportQueries';

const brief = (text: string, format: 'csv' | 'tsv' | 'jsonl', column?: string) => {
  const t = withoutFields(parseRecords(text, format, column));
  return { ...t, records: t.records.map((r) => [r.line, r.endLine, r.text]) };
};

describe('data: structured records', () => {
  it('knows the formats by file name', () => {
    assert.equal(formatOfPath('a/Tickets.CSV'), 'csv');
    assert.equal(formatOfPath('x.tsv'), 'tsv');
    assert.equal(formatOfPath('x.jsonl'), 'jsonl');
    assert.equal(formatOfPath('x.ndjson'), 'jsonl');
    assert.equal(formatOfPath('x.txt'), undefined);
    assert.equal(formatOfPath('x.json'), undefined);
  });

  it('CSV: a header, a quoted field spanning lines, quotes and commas inside quotes', () => {
    const text = [
      'id,created,text,priority',
      '1,2024-01-02,"Refund, please",high',
      '2,2024-01-03,"line one',
      'line ""two""",low',
      '3,2024-01-04,plain,low',
    ].join('\n');
    const t = brief(text, 'csv');
    assert.deepEqual(t.columns, ['id', 'created', 'text', 'priority']);
    assert.equal(t.column, 'text');
    assert.equal(t.headerLine, 0);
    assert.deepEqual(t.records, [
      [1, 1, 'Refund, please'],
      [2, 3, 'line one\nline "two"'],
      [4, 4, 'plain'],
    ]);
    assert.deepEqual(t.problems, []);
  });

  it('CSV: BOM and CRLF, with CRLF inside a quoted field; blank lines between records', () => {
    const text = '\uFEFFid,message\r\n1,"a\r\nb"\r\n\r\n2,c\r\n';
    const t = brief(text, 'csv');
    assert.deepEqual(t.columns, ['id', 'message']);
    assert.equal(t.column, 'message');
    assert.deepEqual(t.records, [
      [1, 2, 'a\r\nb'],
      [4, 4, 'c'],
    ]);
  });

  it('CSV: multi-byte characters before a record do not shift its line', () => {
    const t = brief('id,text\n1,"héllo — wörld ✓"\n2,"日本語\n続き"\n3,x\n', 'csv');
    assert.deepEqual(t.records, [
      [1, 1, 'héllo — wörld ✓'],
      [2, 3, '日本語\n続き'],
      [4, 4, 'x'],
    ]);
  });

  it('CSV: ragged rows keep their cells; a missing text field is an empty text', () => {
    const text = 'id,text,extra\n1,long enough text\n2\n3,t,e,surplus\n';
    const t = parseRecords(text, 'csv');
    assert.deepEqual(t.columns, ['id', 'text', 'extra', 'column 4']);
    assert.deepEqual(
      t.records.map((r) => [r.line, r.text, r.fields]),
      [
        [1, 'long enough text', ['1', 'long enough text']],
        [2, '', ['2']],
        [3, 't', ['3', 't', 'e', 'surplus']],
      ],
    );
  });

  it('CSV: without a known name the longest-text column is the text; a chosen column wins', () => {
    const text =
      'ticket,when,summary,note\n17,2024-01-01,The printer on floor two is jammed again,ok\n' +
      '18,2024-01-02,Cannot log in since the update,fine\n';
    assert.equal(brief(text, 'csv').column, 'summary');
    const chosen = brief(text, 'csv', 'note');
    assert.equal(chosen.column, 'note');
    assert.deepEqual(
      chosen.records.map((r) => r[2]),
      ['ok', 'fine'],
    );
    // A column that is not there falls back to detection.
    assert.equal(brief(text, 'csv', 'nope').column, 'summary');
  });

  it('CSV: a first row of data is not a header', () => {
    const t = brief('1,the first sentence is data\n2,and so is the second one\n', 'csv');
    assert.equal(t.headerLine, -1);
    assert.deepEqual(t.columns, ['column 1', 'column 2']);
    assert.equal(t.column, 'column 2');
    assert.deepEqual(
      t.records.map((r) => r[0]),
      [0, 1],
    );
  });

  it('TSV: tab-separated, quoted fields too', () => {
    const t = brief('id\ttext\n1\t"tab\tinside"\n2\tplain, with comma\n', 'tsv');
    assert.deepEqual(t.records, [
      [1, 1, 'tab\tinside'],
      [2, 2, 'plain, with comma'],
    ]);
  });

  it('CSV: an unclosed quote costs its row only: the records before and after it are kept, the line is named', () => {
    const t = brief('id,text\n1,fine\n2,"never closed\n3,kept\n', 'csv');
    assert.deepEqual(t.records, [
      [1, 1, 'fine'],
      [3, 3, 'kept'],
    ]);
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [3],
    );
    assert.equal(
      t.problems[0]!.message,
      'cannot read the record starting here (the parsing is finished with an opening quote); it is not classified, the lines after it are',
    );
  });

  it('CSV: rows whose quotes never close are reported, not merged into one record by the relaxed parser', () => {
    // Relaxed, the parser read the three lines as one cell: the record on line 2 was lost, unreported.
    const t = brief('id,text\n2,"open 0\n0,good\n1,"open 1\n3,"closed\nover two lines"\n4,said "hi" twice\n', 'csv');
    assert.deepEqual(t.records, [
      [2, 2, 'good'],
      [4, 5, 'closed\nover two lines'],
      [6, 6, 'said "hi" twice'],
    ]);
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [2, 4],
    );
    assert.equal(
      t.problems[0]!.message,
      'cannot read the record starting here (a quoted field spanning lines closes before "o" instead of a delimiter); it is not classified, the lines after it are',
    );
    // On one line a quote closed early stays as the relaxed parser reads it (as spreadsheets do).
    assert.deepEqual(brief('id,text\n1,"hi" there\n', 'csv').records, [[1, 1, '"hi" there']]);
  });

  it('JSONL: the text field, bad lines reported by number, a missing field is empty', () => {
    const text = [
      '{"id":1,"text":"hello there"}',
      'not json',
      '',
      '[1,2]',
      '{"id":2}',
      '\t',
      '{"id":3,"text":"bye","body":"a much longer body field"}',
    ].join('\r\n');
    const t = brief(`\uFEFF${text}`, 'jsonl');
    assert.equal(t.column, 'text');
    assert.deepEqual(t.columns, ['text', 'body']);
    assert.deepEqual(t.records, [
      [0, 0, 'hello there'],
      [4, 4, ''],
      [6, 6, 'bye'],
    ]);
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [2, 4],
    );
    assert.equal(brief(text, 'jsonl', 'body').records[2]![2], 'a much longer body field');
  });

  it('JSONL: without a common name the field that reads as text is the text', () => {
    const t = brief('{"id":"a1","utt":"what is my balance today"}\n{"id":"a2","utt":"send money to mum"}\n', 'jsonl');
    assert.equal(t.column, 'utt');
  });

  // Support-ticket style records: a short query, and the fields around it a detector must not take.
  const queries = SUPPORT_QUERIES;
  const agents = ['Alice', 'Bob', 'Chen', 'Dana'];
  const jsonl = (make: (q: string, i: number) => unknown) => queries.map((q, i) => JSON.stringify(make(q, i))).join('\n');

  it('JSONL: a long boilerplate note repeated in every record is not the text; the query is', () => {
    const text = jsonl((q, i) => ({
      ticket_id: `TCK-${1000 + i}`,
      query: q,
      agent_note:
        `Customer contacted support through the web chat widget. Agent ${agents[i % 4]} followed the standard ` +
        'triage checklist, confirmed the account identity and routed the ticket to the appropriate queue per policy.',
    }));
    const t = brief(text, 'jsonl');
    assert.equal(t.column, 'query');
    assert.deepEqual(
      t.records.map((r) => r[2]),
      queries,
    );
  });

  it('JSONL: nested text is found by its path; ids, dates and enums around it are not the text', () => {
    const text = jsonl((q, i) => ({
      id: `5f0c${i}e1a-9b2d-4c61-8f3e-0c${i}d2b7a1f90`,
      created: `2024-03-${String(i + 1).padStart(2, '0')}T10:1${i}:00Z`,
      day: `Monday, March ${i + 1}, 2024`,
      status: ['open', 'pending customer reply', 'closed'][i % 3],
      msg: { text: q, lang: 'en', meta: { channel: 'web chat' } },
      count: i,
    }));
    const t = brief(text, 'jsonl');
    assert.deepEqual(t.columns, ['id', 'created', 'day', 'status', 'msg.text', 'msg.lang', 'msg.meta.channel']);
    assert.equal(t.column, 'msg.text');
    assert.deepEqual(
      t.records.map((r) => r[2]),
      queries,
    );
    // Choose Text Column lists each field with a value of it; a chosen nested field is read by its path.
    const full = parseRecords(text, 'jsonl', 'msg.meta.channel');
    assert.deepEqual(full.samples, [
      '5f0c0e1a-9b2d-4c61-8f3e-0c0d2b7a1f90',
      '2024-03-01T10:10:00Z',
      'Monday, March 1, 2024',
      'open',
      queries[0],
      'en',
      'web chat',
    ]);
    assert.equal(full.records[3]!.text, 'web chat');
    // A key that itself holds a dot is read whole.
    assert.equal(brief('{"a.b":"dotted key, not a path","a":{"b":"nested"}}\n', 'jsonl', 'a.b').records[0]![2], 'dotted key, not a path');
  });

  it('CSV: numeric ids, dates and a status enum lose to the text column, with or without a known name', () => {
    const rows = queries.map((q, i) => `${9000 + i},2024-03-0${i + 1},${['open', 'closed'][i % 2]},"${q}"`);
    assert.equal(brief(['ticket,opened,status,what the customer wrote', ...rows].join('\n'), 'csv').column, 'what the customer wrote');
    // A known name whose values are not text (a one-word status called `message`) does not win either.
    assert.equal(brief(['id,date,message,summary', ...rows].join('\n'), 'csv').column, 'summary');
  });

  it('text in a script written without spaces is text, not a single token', () => {
    const zh = ['我的订单什么时候到', '怎么修改收货地址', '我被重复扣款了', '请帮我重置密码', '应用打开设置就崩溃', '如何申请退款'];
    // Customers' names have spaces; the text does not, and still wins.
    const names = ['Li Wei', 'Wang Fang', 'Zhang Min', 'Liu Yang', 'Chen Jing', 'Yang Lei'];
    const text = zh.map((t, i) => JSON.stringify({ customer: names[i], text: t })).join('\n');
    assert.equal(brief(text, 'jsonl').column, 'text');
    const csv = ['customer,内容', ...zh.map((t, i) => `${names[i]},${t}`)].join('\n');
    assert.equal(brief(csv, 'csv').column, '内容');
  });

  it('packs a table for the wire and unpacks the same records, in any chunks', () => {
    const table = withoutFields(parseRecords('id,text\n1,"a\nb"\n2,\n3,"é ✓"\n', 'csv'));
    const packed = packTable(table);
    assert.equal(packed.texts, 'a\nbé ✓');
    assert.equal(packed.column, 'text');
    const back: DataRecord[] = [];
    unpackRecords(packed, 0, 2, back);
    unpackRecords(packed, 2, 3, back);
    assert.deepEqual(back, table.records);
  });

  it('unit lines put each record on its first line; recordAt finds a record from any of its lines', () => {
    const table = withoutFields(parseRecords('id,text\n1,"a\nb"\n2,c\n', 'csv'));
    assert.deepEqual(unitLines(table, 5), ['', 'a\nb', '', 'c', '']);
    assert.equal(recordAt(table, 0), undefined);
    assert.equal(recordAt(table, 1)?.line, 1);
    assert.equal(recordAt(table, 2)?.line, 1);
    assert.equal(recordAt(table, 3)?.text, 'c');
    assert.equal(recordAt(table, 4), undefined);
  });
});

describe('data: dataset export', () => {
  it('guards formulas but keeps plain numbers', () => {
    assert.equal(formulaSafe('=SUM(A1)'), "'=SUM(A1)");
    assert.equal(formulaSafe('+1+2'), "'+1+2");
    assert.equal(formulaSafe('@cmd'), "'@cmd");
    assert.equal(formulaSafe('\tx'), "'\tx");
    assert.equal(formulaSafe('\rx'), "'\rx");
    assert.equal(formulaSafe('-2+3'), "'-2+3");
    assert.equal(formulaSafe('-3.5'), '-3.5');
    assert.equal(formulaSafe('1e5'), '1e5');
    assert.equal(formulaSafe('plain = text'), 'plain = text');
  });

  it('names its columns apart from the source columns', () => {
    assert.deepEqual(labelColumnNames(['id', 'text']), { label: 'label', source: 'label_source', confidence: 'confidence' });
    assert.deepEqual(labelColumnNames(['label', 'confidence']), {
      label: 'fewshot_label',
      source: 'label_source',
      confidence: 'fewshot_confidence',
    });
  });

  const labels: Array<RecordLabel | undefined> = [
    { label: 'billing', source: 'label' },
    { label: 'tech', source: 'prediction', confidence: 0.81234 },
    { label: 'none', source: 'none', confidence: 0.9 },
    undefined,
  ];

  it('CSV round trip: parsed back, the same records plus the label columns', () => {
    const source = [
      'id,text,priority',
      '1,"Refund, please",high',
      '2,"two',
      'lines ""quoted""",low',
      '3,=HYPERLINK("x"),-1',
      '4,short',
    ].join('\r\n');
    const table = parseRecords(source, 'csv');
    const out = writeDataset(table, source, (i) => labels[i]);
    assert.ok(out.includes('\r\n'), 'keeps CRLF');
    const back = parse(out, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(back, [
      { id: '1', text: 'Refund, please', priority: 'high', label: 'billing', label_source: 'label', confidence: '' },
      { id: '2', text: 'two\r\nlines "quoted"', priority: 'low', label: 'tech', label_source: 'prediction', confidence: '0.812' },
      { id: '3', text: '\'=HYPERLINK("x")', priority: '-1', label: 'none', label_source: 'none', confidence: '0.9' },
      { id: '4', text: 'short', priority: '', label: '', label_source: '', confidence: '' },
    ]);
    // Every source record comes back with the same cells (formula guard aside).
    const again = parseRecords(out, 'csv');
    assert.deepEqual(
      again.records.map((r) => (r.fields as string[]).slice(0, 3).map((c) => c.replace(/^'(?=[=+\-@\t\r])/, ''))),
      table.records.map((r) => Array.from({ length: 3 }, (_, k) => (r.fields as string[])[k] ?? '')),
    );
  });

  it('TSV keeps tabs as the delimiter and a BOM', () => {
    const source = '\uFEFFid\ttext\n1\thello\n';
    const out = writeDataset(parseRecords(source, 'tsv'), source, () => ({ label: 'greet', source: 'label' }));
    assert.equal(out, '\uFEFFid\ttext\tlabel\tlabel_source\tconfidence\n1\thello\tgreet\tlabel\t\n');
  });

  it('JSONL: every field kept, label fields added (null when unlabeled), bad lines left out', () => {
    const source = '{"id":1,"text":"a","label":"old"}\nbroken\n{"id":2,"text":"b","meta":{"k":[1]}}\n';
    const out = writeDataset(parseRecords(source, 'jsonl'), source, (i) =>
      i === 0 ? { label: 'x', source: 'prediction', confidence: 0.5 } : undefined,
    );
    assert.deepEqual(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
      [
        { id: 1, text: 'a', label: 'old', fewshot_label: 'x', label_source: 'prediction', confidence: 0.5 },
        { id: 2, text: 'b', meta: { k: [1] }, fewshot_label: null, label_source: null, confidence: null },
      ],
    );
  });
});
