// A small reader of TypeScript source for the tests that look for hard-coded visible strings
// (the panel's in src/webview, the extension's messages in src/extension): string and template
// literals, expressions up to their end, the branches of a ternary and a call's arguments.
// Not a parser: enough for the code of this repository, and each scan tests itself on planted
// examples.

/** The source without comments (examples in comments are not code). */
export const withoutComments = (code: string): string => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

/** Index just past the string or template literal that starts at `i` (templates with nested `${}`). */
export function skipLiteral(code: string, i: number): number {
  const quote = code[i];
  let j = i + 1;
  while (j < code.length && code[j] !== quote) {
    if (code[j] === '\\') j += 2;
    else if (quote === '`' && code.startsWith('${', j)) j = skipExpression(code, j + 2, '}') + 1;
    else j++;
  }
  return j + 1;
}

/**
 * Index of the end of the expression that starts at `i`: a `,` or `;` or closing bracket at its
 * depth (`close`: the bracket that ends it), or a line end not continued by a ternary's `?` or `:`.
 */
export function skipExpression(code: string, i: number, close = ''): number {
  let depth = 0;
  for (let j = i; j < code.length; j++) {
    const c = code[j] as string;
    if (c === "'" || c === '"' || c === '`') j = skipLiteral(code, j) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) return j;
      depth--;
    } else if (depth === 0 && close === '' && (c === ',' || c === ';')) return j;
    else if (depth === 0 && close === '' && c === '\n' && !continued(code.slice(i, j), code.slice(j + 1))) return j;
  }
  return code.length;
}

/** Whether an expression goes on past a line end: nothing yet, or an operator ends the line or starts the next. */
const continued = (before: string, after: string): boolean =>
  before.trim() === '' || /[+?:(=&|]\s*$/.test(before) || /^\s*(?:[?:.+]|&&|\|\|)/.test(after);

/** What the expression may evaluate to: itself, or the branches of its top-level ternary. */
export function branches(expr: string): string[] {
  const cuts: number[] = [];
  forTopLevel(expr, (c, j) => {
    if (c === '?' && expr[j + 1] !== '.' && expr[j + 1] !== '?' && expr[j - 1] !== '?') cuts.push(j);
    else if (c === ':' && cuts.length > 0) cuts.push(j);
  });
  if (cuts.length === 0) return [expr.trim()];
  return cuts.map((cut, k) => expr.slice(cut + 1, cuts[k + 1] ?? expr.length).trim());
}

/** The operands of a top-level `+` (a message written over several lines is a sum of literals). */
export function operands(expr: string): string[] {
  const cuts = [-1];
  forTopLevel(expr, (c, j) => {
    if (c === '+') cuts.push(j);
  });
  return cuts.map((cut, k) => expr.slice(cut + 1, cuts[k + 1] ?? expr.length).trim());
}

/** Calls `visit` with each character of the expression outside its literals and brackets. */
function forTopLevel(expr: string, visit: (c: string, j: number) => void): void {
  let depth = 0;
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j] as string;
    if (c === "'" || c === '"' || c === '`') j = skipLiteral(expr, j) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0) visit(c, j);
  }
}

/** The text a literal shows, `${...}` left out; undefined for an expression that is not one literal. */
export function literalText(branch: string): string | undefined {
  const q = branch[0];
  if (q !== "'" && q !== '"' && q !== '`') return undefined;
  if (skipLiteral(branch, 0) !== branch.length) return undefined;
  let text = '';
  for (let j = 1; j < branch.length - 1; j++) {
    if (q === '`' && branch.startsWith('${', j)) j = skipExpression(branch, j + 2, '}');
    else text += branch[j];
  }
  return text;
}

/** The arguments of the call whose `(` is just before `i`. */
export function callArguments(code: string, i: number): string[] {
  const args: string[] = [];
  let j = i;
  for (;;) {
    const end = skipExpression(code, j);
    args.push(code.slice(j, end));
    if (code[end] !== ',') return args;
    j = end + 1;
  }
}
