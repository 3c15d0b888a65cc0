/**
 * HAProxy's configuration lexer, as HAProxy 2.6 reads a file (src/tools.c parse_line, src/cfgparse.c
 * readcfgfile; ../shared/reference/haproxy-cfg.md §1): one statement per physical line (no continuation),
 * blanks separate words, an unprotected `#` starts a comment, "weak" quotes process escapes and expand
 * `${VAR}`, 'strong' quotes keep everything literal, pieces concatenate (`"a"'b'c` → `abc`).
 * Every statement keeps its file and line.
 */

export interface Statement {
  readonly file: string;
  readonly line: number;
  /** The words after quote removal, escapes and environment expansion. */
  readonly words: readonly string[];
  /** The physical line as written (for messages). */
  readonly text: string;
}

export interface LexProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** Warnings never refuse the file (HAProxy quirks Gatehouse does not copy). */
  readonly warning?: boolean;
  /** Valid HAProxy that Gatehouse does not translate (a warning with --lenient). */
  readonly unsupported?: boolean;
}

export interface LexResult {
  readonly statements: Statement[];
  readonly problems: LexProblem[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

const SIMPLE_ESCAPES: Record<string, string> = { ' ': ' ', '\\': '\\', '#': '#', "'": "'", '"': '"', t: '\t', n: '\n', r: '\r' };
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class LineError extends Error {}

/** Expands `$NAME`, `${NAME}`, `${NAME-default}`, `${NAME[*]}` at `text[i] === '$'`; returns the pieces and the next index. */
function expandVariable(text: string, i: number, env: Environment, pseudo: Environment): { value: string; split: boolean; next: number } {
  let name: string;
  let next: number;
  let fallback: string | undefined;
  let split = false;
  if (text[i + 1] === '{') {
    const close = text.indexOf('}', i + 2);
    if (close < 0) throw new LineError('unterminated ${...} environment variable');
    let inner = text.slice(i + 2, close);
    next = close + 1;
    if (inner.endsWith('[*]')) {
      split = true;
      inner = inner.slice(0, -3);
    }
    const dash = inner.indexOf('-');
    if (dash >= 0) {
      fallback = inner.slice(dash + 1);
      inner = inner.slice(0, dash);
    }
    name = inner;
  } else {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (match === null) throw new LineError(`forbidden first char in environment variable name at "${text.slice(i, i + 8)}" (single-quote JSON paths such as '$.alg')`);
    name = match[0];
    next = i + 1 + name.length;
  }
  let value: string | undefined;
  if (name.startsWith('.')) value = pseudo[name];
  else if (VAR_NAME.test(name)) value = env[name];
  else throw new LineError(`invalid environment variable name "${name}"`);
  if (value === undefined) value = fallback ?? '';
  return { value, split, next };
}

/** Splits one physical line into words; throws LineError for what HAProxy refuses. */
function splitLine(text: string, env: Environment, pseudo: Environment): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
      i++;
      continue;
    }
    if (quote === undefined && (c === ' ' || c === '\t')) {
      endWord();
      i++;
      continue;
    }
    if (quote === undefined && c === '#') break;
    if (c === '"' || (c === "'" && quote === undefined)) {
      quote = quote === '"' ? undefined : c;
      inWord = true;
      i++;
      continue;
    }
    if (c === '\\') {
      const n = text[i + 1];
      if (n === 'x') {
        const hex = text.slice(i + 2, i + 4);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new LineError(`invalid \\x escape "\\x${hex}"`);
        word += String.fromCharCode(parseInt(hex, 16));
        i += 4;
      } else if (n !== undefined && SIMPLE_ESCAPES[n] !== undefined) {
        word += SIMPLE_ESCAPES[n];
        i += 2;
      } else if (n === '$' && quote === '"') {
        word += '$';
        i += 2;
      } else {
        word += '\\';
        i += 1;
      }
      inWord = true;
      continue;
    }
    if (c === '$' && quote === '"') {
      const { value, split, next } = expandVariable(text, i, env, pseudo);
      if (split) {
        const parts = value.split(' ').filter((p) => p !== '');
        parts.forEach((part, k) => {
          word += part;
          if (k < parts.length - 1) {
            words.push(word);
            word = '';
          }
        });
      } else word += value;
      inWord = true;
      i = next;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  if (quote !== undefined) throw new LineError(`unmatched quote ${quote}`);
  endWord();
  return words;
}

/** Lexes a whole file. `env` is the environment for `"${VAR}"` (process.env by default). */
export function lexHaproxy(source: string, file: string, env: Environment = process.env): LexResult {
  const statements: Statement[] = [];
  const problems: LexProblem[] = [];
  const lines = source.split('\n');
  const lastHasLf = source.endsWith('\n') || source === '';
  if (source.endsWith('\n')) lines.pop();
  let section = '';
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let words: string[];
    try {
      words = splitLine(text, env, { '.FILE': file, '.LINE': String(line), '.SECTION': section });
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      problems.push({ file, line, message: error.message });
      return;
    }
    const empty = words.indexOf('');
    if (empty >= 0) {
      if (words.slice(empty).some((w) => w !== '')) {
        problems.push({ file, line, message: 'an empty argument ("" or an empty variable) ends the argument list in HAProxy; the words after it would be ignored' });
        return;
      }
      words = words.slice(0, empty);
    }
    if (words.length === 0) return;
    const first = words[0] as string;
    if (first.startsWith('[') || first.startsWith('.')) {
      problems.push({ file, line, message: `"${first}" (scope markers and .if/.else/.endif/.notice blocks) is not supported`, unsupported: true });
      return;
    }
    if (['global', 'defaults', 'frontend', 'backend', 'listen'].includes(first)) section = words[1] ?? '';
    statements.push({ file, line, words, text: text.trim() });
  });
  if (!lastHasLf) {
    problems.push({ file, line: lines.length, message: 'the last line has no LF: HAProxy 2.6 refuses such a file ("Missing LF on last line"); Gatehouse reads it', warning: true });
  }
  return { statements, problems };
}
