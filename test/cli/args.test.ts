import assert from 'node:assert/strict';
import { formatOptions, parseArgs, UsageError, type OptionSpec } from '../../src/cli/args';

const specs: OptionSpec[] = [
  { name: 'data', type: 'string', help: 'data' },
  { name: 'way', type: 'int', min: 2, default: 5, help: 'way' },
  { name: 'shot', type: 'int-list', min: 1, default: [1, 5], help: 'shots' },
  { name: 'methods', type: 'list', help: 'methods' },
  { name: 'ratio', type: 'number', min: 0, help: 'ratio' },
  { name: 'format', type: 'string', choices: ['tsv', 'jsonl'], help: 'format' },
  { name: 'json', type: 'boolean', help: 'json' },
];

describe('cli: argument parser', () => {
  it('parses values, =values, flags, lists, defaults and positional arguments', () => {
    const a = parseArgs(
      ['--data', 'x.jsonl', '--way=10', '--shot', '1, 5,20', '--methods', 'a,b', '--json', 'f1', '--ratio', '0.5', '--', '--literal'],
      specs,
    );
    assert.equal(a.string('data'), 'x.jsonl');
    assert.equal(a.number('way'), 10);
    assert.deepEqual(a.ints('shot'), [1, 5, 20]);
    assert.deepEqual(a.list('methods'), ['a', 'b']);
    assert.equal(a.number('ratio'), 0.5);
    assert.equal(a.flag('json'), true);
    assert.deepEqual(a.positional, ['f1', '--literal']);
    const d = parseArgs([], specs);
    assert.equal(d.number('way'), 5);
    assert.deepEqual(d.ints('shot'), [1, 5]);
    assert.equal(d.flag('json'), false);
    assert.equal(d.has('data'), false);
    assert.equal(parseArgs(['-h'], specs).help, true);
  });

  it('rejects bad input with messages that say what is wrong', () => {
    const bad: [string[], RegExp][] = [
      [['--wya', '3'], /unknown option --wya \(did you mean --way\?\)/],
      [['--way', 'five'], /--way must be an integer \(got "five"\)/],
      [['--way', '2.5'], /--way must be an integer/],
      [['--way', '1'], /--way must be at least 2 \(got 1\)/],
      [['--way'], /--way needs a value/],
      [['--data', '--json'], /--data needs a value/],
      [['--shot', '1,x'], /--shot must be an integer \(got "x"\)/],
      [['--shot', ','], /--shot needs at least one value/],
      [['--shot', '0'], /at least 1/],
      [['--ratio', 'NaN'], /--ratio must be a number/],
      [['--format', 'csv'], /--format must be one of tsv, jsonl \(got "csv"\)/],
      [['--json=1'], /--json is a flag/],
      [['-x'], /unknown option -x/],
      [['--data', ''], /non-empty/],
    ];
    for (const [argv, message] of bad)
      assert.throws(
        () => parseArgs(argv, specs),
        (e: Error) => e instanceof UsageError && message.test(e.message),
        argv.join(' '),
      );
  });

  it('formats aligned option help with defaults', () => {
    const help = formatOptions(specs);
    assert.match(help, /--way <int>\s+way \(default: 5\)/);
    assert.match(help, /--shot <int-list>\s+shots \(default: 1,5\)/);
    assert.match(help, /--json\s+json$/m);
  });
});
