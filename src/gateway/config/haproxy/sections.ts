/**
 * Groups lexed statements into HAProxy's sections (global, defaults, frontend, backend, listen).
 * A section keyword ends the previous section; other section kinds (userlist, peers, resolvers...) are
 * reported, as is a statement before any section.
 */
import type { LexProblem, Statement } from './lexer.js';

export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen';

export interface Section {
  readonly kind: SectionKind;
  readonly name: string;
  readonly header: Statement;
  /** `from <defaults name>`: the defaults section it takes its settings from (else the last one before it). */
  readonly from: string | undefined;
  readonly statements: Statement[];
}

const KINDS: readonly string[] = ['global', 'defaults', 'frontend', 'backend', 'listen'];
const OTHER_SECTIONS: readonly string[] = ['userlist', 'peers', 'resolvers', 'http-errors', 'cache', 'ring', 'program', 'mailers', 'log-forward', 'fcgi-app', 'dynamic-update'];
const NAME = /^[A-Za-z0-9_.:-]+$/;

export function groupSections(statements: readonly Statement[]): { sections: Section[]; problems: LexProblem[] } {
  const sections: Section[] = [];
  const problems: LexProblem[] = [];
  let current: Section | undefined;
  let skipping = false;
  for (const st of statements) {
    const keyword = st.words[0] as string;
    if (KINDS.includes(keyword)) {
      const kind = keyword as SectionKind;
      const name = st.words[1] ?? '';
      skipping = false;
      if (kind === 'global' && st.words.length > 1) problems.push({ file: st.file, line: st.line, message: `"${st.text}": global takes no name` });
      if ((kind === 'frontend' || kind === 'backend' || kind === 'listen') && !NAME.test(name)) {
        problems.push({ file: st.file, line: st.line, message: `"${st.text}": ${kind} needs a name of letters, digits, - _ . :` });
      }
      const extra = kind === 'global' ? 1 : 2;
      let from: string | undefined;
      if (kind !== 'global' && st.words[extra] === 'from' && st.words.length === extra + 2 && name !== 'from') from = st.words[extra + 1];
      else if (kind === 'defaults' && name !== '' && !NAME.test(name)) problems.push({ file: st.file, line: st.line, message: `"${st.text}": defaults needs a name of letters, digits, - _ . :` });
      else if (st.words.length > extra) problems.push({ file: st.file, line: st.line, message: `"${st.text}": "${st.words.slice(extra).join(' ')}" is not supported (expected "from <defaults name>")` });
      current = { kind, name, header: st, from, statements: [] };
      sections.push(current);
      continue;
    }
    if (OTHER_SECTIONS.includes(keyword)) {
      problems.push({ file: st.file, line: st.line, message: `"${st.text}": the ${keyword} section is not supported`, unsupported: true });
      current = undefined;
      skipping = true;
      continue;
    }
    if (skipping) continue; // the unsupported section was reported once
    if (current === undefined) {
      problems.push({ file: st.file, line: st.line, message: `"${st.text}": a statement outside any section` });
      continue;
    }
    current.statements.push(st);
  }
  return { sections, problems };
}
