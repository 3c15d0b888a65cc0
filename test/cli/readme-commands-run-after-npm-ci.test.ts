/**
 * Every shell command the README and docs/*.md print runs as printed after `npm ci`: `gatehouse` is not on
 * the PATH then, so commands say `npx gatehouse …` (package.json's bin) or use an `npm` script. For each
 * command: `npx gatehouse <sub> --help` works and lists every flag the command passes, `npm run <script>`
 * names a script of package.json, and any other program is installed here (curl, node, kill…) or is one
 * the docs name as the operator's own (a container engine, kubectl, systemd).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { documentedCommands, flagsAfter, programs, type DocCommand } from './doc-commands.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPTS = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
/** Programs of the operator's own platform, which the deploy docs use and this machine need not have. */
const PLATFORM = new Set(['docker', 'podman', 'kubectl', 'systemctl', 'journalctl', 'sudo']);

const PACKAGE = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { bin: Record<string, string> };
const BIN = `${ROOT}${PACKAGE.bin.gatehouse}`;

const helps = new Map<string, string>();
/** `npx gatehouse <sub> --help`: npx itself once (it runs package.json's bin), then that bin directly. */
function help(sub: string): string {
  let text = helps.get(sub);
  if (text === undefined) {
    const args = sub === '--help' ? ['--help'] : [sub, '--help'];
    const result = helps.size === 0
      ? spawnSync('npx', ['--no-install', 'gatehouse', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
      : spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.status, 0, `npx gatehouse ${args.join(' ')} exits 0 (stderr: ${result.stderr})`);
    text = result.stdout;
    helps.set(sub, text);
  }
  return text;
}

function installed(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v '${program}'`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function where(command: DocCommand): string {
  return `${command.file}:${command.line}: ${command.text.split('\n')[0]}`;
}

function check(command: DocCommand): string[] {
  const problems: string[] = [];
  for (const program of programs(command.text)) {
    if (program === 'gatehouse') {
      problems.push(`${where(command)}\n    "gatehouse" is not on the PATH after npm ci: write npx gatehouse …`);
    } else if (program === 'npx') {
      const sub = /npx (?:--no-install )?gatehouse (\w+)/.exec(command.text)?.[1];
      if (sub === undefined && /npx (?:--no-install )?gatehouse --help/.test(command.text)) {
        help('--help');
        continue;
      }
      if (sub === undefined) {
        problems.push(`${where(command)}\n    npx runs only gatehouse here (npx gatehouse <command>)`);
        continue;
      }
      const text = help(sub);
      for (const flag of flagsAfter(command.text, ['npx', 'gatehouse', sub])) {
        if (flag !== '--help' && !text.includes(flag)) problems.push(`${where(command)}\n    npx gatehouse ${sub} --help does not list ${flag}`);
      }
    } else if (program === 'npm') {
      const verb = /npm (\w+)(?: (\S+))?/.exec(command.text);
      if (verb?.[1] === 'run' && SCRIPTS[verb[2] as string] === undefined) problems.push(`${where(command)}\n    package.json has no script "${verb[2]}"`);
      else if (verb?.[1] === 'start') {
        for (const flag of flagsAfter(command.text, ['npm', 'start', '--'])) {
          if (!help('up').includes(flag)) problems.push(`${where(command)}\n    npx gatehouse up --help does not list ${flag}`);
        }
      } else if (!['ci', 'test', 'start', 'run', 'install'].includes(verb?.[1] ?? '')) problems.push(`${where(command)}\n    unexpected npm command`);
    } else if (!PLATFORM.has(program) && !installed(program)) {
      problems.push(`${where(command)}\n    ${program}: not a command on this machine`);
    }
  }
  return problems;
}

test('the docs print commands, and the extraction finds them', () => {
  const commands = documentedCommands(ROOT);
  assert.ok(commands.length > 30, `found ${commands.length} commands`);
  const texts = commands.map((c) => c.text);
  assert.ok(texts.some((t) => t.startsWith('npm ci && npm start')), 'the README\'s first command');
  assert.ok(texts.some((t) => t.startsWith('curl --location --request POST')), 'the seed\'s login call, joined across its lines');
});

test('every command in README.md and docs/*.md runs as printed after npm ci', { timeout: 120_000 }, () => {
  assert.match(help('--help'), /Usage: gatehouse <command>/, 'npx gatehouse runs the package\'s bin');
  const problems = documentedCommands(ROOT).flatMap(check);
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('a bare gatehouse command, an unknown flag and an unknown npm script are caught', () => {
  const doc = (text: string): DocCommand => ({ file: 'x.md', line: 1, text });
  assert.match(check(doc('gatehouse up --help'))[0] ?? '', /not on the PATH/);
  assert.match(check(doc('npx gatehouse idp --no-such-flag'))[0] ?? '', /does not list --no-such-flag/);
  assert.match(check(doc('npm run no-such-script'))[0] ?? '', /no script/);
  assert.match(check(doc('frobnicate-the-gateway --now'))[0] ?? '', /not a command/);
  assert.deepEqual(check(doc('npx gatehouse gateway --config ./data/gatehouse.yaml [--workers N|auto]')), []);
});
