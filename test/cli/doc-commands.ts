/**
 * The shell commands the README and docs/*.md print, as a reader would type them: every `$ `-prompted line
 * (in a fenced or indented block), every line of a ```sh / ```bash / ```shell block, and every inline code
 * span that starts with `gatehouse`, `npx gatehouse` or `npm` and passes a flag. Lines continued with a
 * backslash, or inside an open single-quoted string, are joined.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DocCommand {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const SHELL_FENCE = /^\s*```(sh|bash|shell|console)\s*$/;
const FENCE = /^\s*```/;

function unbalanced(text: string): boolean {
  let single = false;
  let double = false;
  for (const ch of text) {
    if (ch === "'" && !double) single = !single;
    else if (ch === '"' && !single) double = !double;
  }
  return single;
}

/** Joins continuation lines starting at `lines[i]`; returns the command and the index after it. */
function joined(lines: readonly string[], i: number, first: string): [string, number] {
  let text = first;
  let next = i + 1;
  while ((text.endsWith('\\') || unbalanced(text)) && next < lines.length) {
    text = text.endsWith('\\') ? `${text.slice(0, -1)} ${(lines[next] as string).trim()}` : `${text}\n${lines[next] as string}`;
    next++;
  }
  return [text, next];
}

export function extractCommands(file: string, markdown: string): DocCommand[] {
  const lines = markdown.split('\n');
  const out: DocCommand[] = [];
  let fence: 'shell' | 'other' | undefined;
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    if (FENCE.test(line)) {
      fence = fence !== undefined ? undefined : SHELL_FENCE.test(line) ? 'shell' : 'other';
      i++;
      continue;
    }
    const prompt = /^\s*\$ (.*)$/.exec(line);
    if (prompt !== null) {
      const [text, next] = joined(lines, i, prompt[1] as string);
      out.push({ file, line: i + 1, text });
      i = next;
      continue;
    }
    if (fence === 'shell') {
      const bare = line.replace(/^\s+/, '');
      if (bare !== '' && !bare.startsWith('#')) {
        const [text, next] = joined(lines, i, bare);
        out.push({ file, line: i + 1, text });
        i = next;
        continue;
      }
    } else if (fence === undefined) {
      for (const match of line.matchAll(/`((?:npx gatehouse|gatehouse|npm) [^`]*)`/g)) {
        if (/(^|\s)--?[a-z]/.test(match[1] as string)) out.push({ file, line: i + 1, text: match[1] as string });
      }
    }
    i++;
  }
  return out;
}

/** README.md and every docs/*.md of the repository at `root`. */
export function documentedCommands(root: string): DocCommand[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md')).sort().map((n) => `docs/${n}`)];
  return files.flatMap((file) => extractCommands(file, readFileSync(join(root, file), 'utf8')));
}

/** The long flags (`--name`) a command passes to `program`, up to the next `&&`, `|` or `;`. */
export function flagsAfter(command: string, words: readonly string[]): string[] {
  const text = command.replace(/'[^']*'/g, "''").replace(/#.*$/gm, '');
  for (const part of text.split(/&&|\|\||;|\||\$\(|\n/)) {
    const tokens = part.trim().split(/\s+/);
    if (words.every((w, i) => tokens[i] === w)) return tokens.flatMap((t) => /^\[?(--[a-z][a-z-]*)/.exec(t)?.[1] ?? []);
  }
  return [];
}

/** The programs a command runs: the first word of each part of `&&`, `||`, `;`, `|` and `$(…)`, past `VAR=value`. */
export function programs(command: string): string[] {
  // quoted strings and a synopsis' optional parts ([--workers N|auto]) hold no program
  const withoutQuoted = command.replace(/'[^']*'/g, "''").replace(/\[[^\]]*\]/g, '').replace(/#.*$/gm, '');
  const parts = withoutQuoted.split(/&&|\|\||;|\||\$\(|\n/);
  const found: string[] = [];
  for (const part of parts) {
    const words = part.trim().split(/\s+/).filter((w) => w !== '' && w !== '(' && w !== ')');
    while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0] as string)) words.shift();
    const first = words[0];
    if (first !== undefined && !first.startsWith('#') && !first.startsWith('"')) found.push(first);
  }
  return found;
}
