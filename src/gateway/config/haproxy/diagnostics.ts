/**
 * What the translation found: errors (refuse the file), warnings (`--lenient` turns unsupported
 * statements into these) and notices, each naming file:line and the statement's text; plus where each
 * produced config key came from (for `gatehouse convert`'s comments).
 */
import type { Statement } from './lexer.js';

export type KeyPath = readonly (string | number)[];

export class Diagnostics {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly notices: string[] = [];
  readonly sources: Array<{ readonly path: KeyPath; readonly where: string }> = [];

  constructor(readonly lenient: boolean) {}

  static where(st: { readonly file: string; readonly line: number }): string {
    return `${st.file}:${st.line}`;
  }

  /** A statement Gatehouse cannot translate: an error, or a warning with --lenient (the statement is then left out). */
  unsupported(st: Statement, reason: string, nearest?: string): void {
    const text = `${Diagnostics.where(st)}: "${st.text}": ${reason}; ${nearest === undefined ? 'not supported' : `nearest gatehouse.yaml: ${nearest}`}`;
    if (this.lenient) this.warnings.push(`${text} (ignored: --lenient)`);
    else this.errors.push(text);
  }

  /** A statement that is wrong whatever the mode. */
  error(st: { readonly file: string; readonly line: number; readonly text?: string }, message: string): void {
    this.errors.push(`${Diagnostics.where(st)}: ${st.text === undefined ? '' : `"${st.text}": `}${message}`);
  }

  warn(st: { readonly file: string; readonly line: number }, message: string): void {
    this.warnings.push(`${Diagnostics.where(st)}: ${message}`);
  }

  /** Records that the config key at `path` came from `st`. */
  from(path: KeyPath, st: Statement): void {
    this.sources.push({ path, where: `${Diagnostics.where(st)}: ${st.text}` });
  }
}
