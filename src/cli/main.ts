#!/usr/bin/env node
/**
 * `gatehouse <command> [flags]` — the single entry point. Each command lives in its own file under
 * src/cli/commands and is loaded only when asked for, so `gatehouse idp` never loads the gateway.
 */
import { isGatehouseError } from '../shared/errors.js';

interface CommandModule {
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  up: { summary: 'run the whole system: identity provider, sample service and gateway', load: () => import('./commands/up.js') },
  gateway: { summary: 'run the gateway from a config file', load: () => import('./commands/gateway.js') },
  check: { summary: 'validate a gateway config file without starting', load: () => import('./commands/check.js') },
  convert: { summary: 'print the gatehouse.yaml equivalent to a haproxy.cfg', load: () => import('./commands/convert.js') },
  idp: { summary: 'run the identity provider (FusionAuth-compatible API)', load: () => import('./commands/idp.js') },
  echo: { summary: 'run the sample HTTP service that echoes each request', load: () => import('./commands/echo.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: gatehouse <command> [flags]', '', 'Commands:', ...lines, '', 'Run `gatehouse <command> --help` for the flags of a command.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    console.log(process.env.npm_package_version ?? '0.1.0');
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`gatehouse: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (isGatehouseError(error)) console.error(`gatehouse: ${error.message} (${error.code})`);
    else console.error('gatehouse: unexpected error', error);
    process.exitCode = 1;
  },
);
