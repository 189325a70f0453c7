// ANSI colours, used only on terminals (and never when NO_COLOR is set).

export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  /** A stable colour per label index. */
  label(s: string, index: number): string;
}

const LABEL_COLOURS = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92];

export function makeStyle(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = env.FORCE_COLOR ? env.FORCE_COLOR !== '0' : isTTY && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  const sgr = (code: number | string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    enabled,
    bold: sgr(1),
    dim: sgr(2),
    red: sgr(31),
    yellow: sgr(33),
    green: sgr(32),
    label: (s, i) => sgr(LABEL_COLOURS[i % LABEL_COLOURS.length] as number)(s),
  };
}

/** Cuts text to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
