/** ANSI styling that turns into plain text when colours are off. */
export interface Paint {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  /** The colour given to the index-th service, cycling through a palette. */
  service(index: number, text: string): string;
}

// Distinct on dark and light backgrounds; red is kept for errors.
const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93, 92, 94];

/**
 * Whether to colour output: never with NO_COLOR (https://no-color.org), always with
 * FORCE_COLOR (other than 0), else only on a terminal.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY === true;
}

/** Builds a {@link Paint}. */
export function createPaint(enabled: boolean): Paint {
  const sgr = (code: number, text: string): string => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return {
    enabled,
    bold: (text) => sgr(1, text),
    dim: (text) => sgr(2, text),
    red: (text) => sgr(31, text),
    service: (index, text) => sgr(PALETTE[index % PALETTE.length], text),
  };
}

/** The length of the text as shown: ANSI sequences take no room. */
export function visibleLength(text: string): number {
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Pads a tag such as `[identity]` so that every prefixed line starts its text in one column. */
export function padTag(name: string, width: number): string {
  return `[${name}]`.padEnd(width + 2);
}

/** Draws lines in a box, sized to the widest line. */
export function renderBox(lines: readonly string[]): string {
  const width = Math.max(...lines.map(visibleLength));
  const pad = (line: string): string => line + ' '.repeat(width - visibleLength(line));
  return [
    `┌${'─'.repeat(width + 2)}┐`,
    ...lines.map((line) => `│ ${pad(line)} │`),
    `└${'─'.repeat(width + 2)}┘`,
  ].join('\n');
}

/** Hides the password of a connection URL: `postgres://postgres:***@host:port/db`. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  }
}
