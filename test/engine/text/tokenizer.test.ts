import { strict as assert } from 'node:assert';
import { MAX_TOKENIZE_CHARS, tokenize } from '../../../src/engine/text/tokenizer';

describe('tokenize', () => {
  const cases: Array<[string, string[]]> = [
    // prose and intents
    ['How do I say I love you in Italian?', ['how', 'do', 'i', 'say', 'i', 'love', 'you', 'in', 'italian']],
    ["what's my balance, please", ['what', 's', 'my', 'balance', 'please']],
    ['Transfer $250.75 to savings!!!', ['transfer', '250', '75', 'to', 'savings']],
    ['  \t  ', []],
    ['', []],
    ['---***---', []],
    // identifiers
    ['camelCaseName', ['camel', 'case', 'name']],
    ['PascalCaseName', ['pascal', 'case', 'name']],
    ['snake_case_name', ['snake', 'case', 'name']],
    ['SCREAMING_SNAKE_CASE', ['screaming', 'snake', 'case']],
    ['kebab-case-name', ['kebab', 'case', 'name']],
    ['com.example.MyClass.myMethod', ['com', 'example', 'my', 'class', 'my', 'method']],
    ['HTTPServerError', ['http', 'server', 'error']],
    ['getUserByID(userId)', ['get', 'user', 'by', 'id', 'user', 'id']],
    ['parseJSONResponse', ['parse', 'json', 'response']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['Base64Encode', ['base64', 'encode']],
    ['utf8Decoder', ['utf8', 'decoder']],
    ['HTTP2Server', ['http2', 'server']],
    ['user123 sha256 mp3', ['user123', 'sha256', 'mp3']],
    ['__init__', ['init']],
    // log lines
    [
      '2024-01-05 10:22:33,511 ERROR [main] c.e.DbPool - Connection refused: 10.0.0.1:5432',
      [
        '2024',
        '01',
        '05',
        '10',
        '22',
        '33',
        '511',
        'error',
        'main',
        'c',
        'e',
        'db',
        'pool',
        'connection',
        'refused',
        '10',
        '0',
        '0',
        '1',
        '5432',
      ],
    ],
    ['WARN  retry=3 timeout_ms=1500 status=503', ['warn', 'retry', '3', 'timeout', 'ms', '1500', 'status', '503']],
    ['at Object.<anonymous> (/app/src/index.js:12:5)', ['at', 'object', 'anonymous', 'app', 'src', 'index', 'js', '12', '5']],
    // paths and URLs
    ['/usr/local/lib/node_modules/npm/bin/npm-cli.js', ['usr', 'local', 'lib', 'node', 'modules', 'npm', 'bin', 'npm', 'cli', 'js']],
    ['C:\\Users\\Ana\\Documents\\report_final.docx', ['c', 'users', 'ana', 'documents', 'report', 'final', 'docx']],
    [
      'https://example.com/api/v2/users?sort=desc&page=2#top',
      ['https', 'example', 'com', 'api', 'v2', 'users', 'sort', 'desc', 'page', '2', 'top'],
    ],
    ['mail bob.smith@example.org now', ['mail', 'bob', 'smith', 'example', 'org', 'now']],
    // Unicode
    ['Café crème brûlée', ['café', 'crème', 'brûlée']],
    ['Straße GROSS', ['straße', 'gross']],
    ['Привет, мир! КакДела', ['привет', 'мир', 'как', 'дела']],
    ['Ελληνικά κείμενα', ['ελληνικά', 'κείμενα']],
    ['हिन्दी भाषा', ['हिन्दी', 'भाषा']],
    // Han and kana: one token per character (see docs/encoder.md); Hangul keeps its spaced words
    ['东京塔', ['东', '京', '塔']],
    [
      '我今天用Python写了3个程序，速度提升200%。',
      ['我', '今', '天', '用', 'python', '写', '了', '3', '个', '程', '序', '速', '度', '提', '升', '200'],
    ],
    ['2024年iPhone发布', ['2024', '年', 'i', 'phone', '发', '布']],
    ['東京タワー に 行く', ['東', '京', 'タ', 'ワ', 'ー', 'に', '行', 'く']],
    ['ひらがなカタカナ', ['ひ', 'ら', 'が', 'な', 'カ', 'タ', 'カ', 'ナ']],
    // Classical Chinese with full-width punctuation; kanji with okurigana; half-width katakana and
    // decomposed voiced marks (NFKC); full-width Latin inside Japanese; Latin words inside Chinese
    ['子曰：“学而时习之，不亦说乎？”', ['子', '曰', '学', '而', '时', '习', '之', '不', '亦', '说', '乎']],
    ['食べる、飲んだ。', ['食', 'べ', 'る', '飲', 'ん', 'だ']],
    ['ｶﾞｲﾄﾞﾌﾞｯｸ を読む', ['ガ', 'イ', 'ド', 'ブ', 'ッ', 'ク', 'を', '読', 'む']],
    ['か\u3099っこう', ['が', 'っ', 'こ', 'う']],
    ['Ａｐｐｌｅの新製品', ['apple', 'の', '新', '製', '品']],
    ['北京Beijing和上海', ['北', '京', 'beijing', '和', '上', '海']],
    ['丽江Café很好', ['丽', '江', 'café', '很', '好']],
    ['한국어를 배우고 있습니다', ['한국어를', '배우고', '있습니다']],
    ['서울Seoul에서', ['서울', 'seoul에서']],
    ['Größe Ärger naïve façade Ångström', ['größe', 'ärger', 'naïve', 'façade', 'ångström']],
    ['ภาษาไทยไม่มีช่องว่าง ครับ', ['ภาษาไทยไม่มีช่องว่าง', 'ครับ']],
    ['𠀋𠀍 surrogate Han', ['𠀋', '𠀍', 'surrogate', 'han']],
    ['مرحبا بالعالم', ['مرحبا', 'بالعالم']],
    ['emoji 😀 between 🎉words', ['emoji', 'between', 'words']],
  ];
  for (const [input, expected] of cases) {
    it(`splits ${JSON.stringify(input)}`, () => {
      assert.deepEqual(tokenize(input), expected);
    });
  }

  it('applies NFKC: full-width, ligatures, mathematical letters, decomposed accents', () => {
    assert.deepEqual(tokenize('Ｆｕｌｌｗｉｄｔｈ ﬁle 𝐁𝐨𝐥𝐝 ①'), ['fullwidth', 'file', 'bold', '1']);
    assert.deepEqual(tokenize('cafe\u0301'), ['café']); // e + combining acute composes
  });

  it('keeps combining marks inside words and lowercases special cases', () => {
    assert.deepEqual(tokenize('İstanbul'), ['i̇stanbul']);
    assert.deepEqual(tokenize('a\u0308b'), ['äb']);
  });

  it('emits only lowercase tokens made of letters, marks and digits', () => {
    const junk = 'Mixed_CASE-text.With/Paths\\and:Numbers123 ÀÉÎ ǅungla';
    for (const t of tokenize(junk)) {
      assert.equal(t, t.toLowerCase());
      assert.match(t, /^[\p{L}\p{M}\p{N}]+$/u);
    }
  });

  it('treats control characters, lone surrogates and binary junk as separators', () => {
    assert.deepEqual(tokenize('a\u0000b\u0007c\uFFFDd'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(tokenize('\uD800abc\uDFFFdef\uDC00'), ['abc', 'def']);
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256);
    const binary = Buffer.from(bytes).toString('latin1');
    for (const t of tokenize(binary)) assert.match(t, /^[\p{L}\p{M}\p{N}]+$/u);
  });

  it(`examines only the first ${MAX_TOKENIZE_CHARS} characters of a line`, () => {
    const head = 'alpha '.repeat(Math.floor(MAX_TOKENIZE_CHARS / 6));
    const line = `${head + ' '.repeat(MAX_TOKENIZE_CHARS)}omega`;
    assert.ok(!tokenize(line).includes('omega'));
    assert.equal(tokenize(line).length, Math.floor(MAX_TOKENIZE_CHARS / 6));
    const huge = 'word '.repeat(2_000_000); // 10 MB
    const tokens = tokenize(huge);
    assert.equal(tokens.length, Math.ceil(MAX_TOKENIZE_CHARS / 5));
    assert.equal(tokens[tokens.length - 1], 'word'.slice(0, MAX_TOKENIZE_CHARS % 5 || 4));
  });

  it('does not split a surrogate pair at the cap', () => {
    const line = `${'x'.repeat(MAX_TOKENIZE_CHARS - 1)}𝐁`;
    assert.deepEqual(tokenize(line), ['x'.repeat(MAX_TOKENIZE_CHARS - 1)]);
  });
});
