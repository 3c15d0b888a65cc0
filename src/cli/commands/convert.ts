/**
 * `gatehouse convert haproxy.cfg [--lenient]` — prints the equivalent gatehouse.yaml, each key commented
 * with the .cfg line it came from. The output is validated first (as `gatehouse check` would), so a
 * printed file always loads; problems exit 1, naming file:line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseGatewayConfig } from '../../gateway/index.js';
import { translateHaproxy, translationToYaml } from '../../gateway/config/haproxy/index.js';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

const HELP = `Usage: gatehouse convert <haproxy.cfg> [--lenient]

Prints the gatehouse.yaml equivalent to an HAProxy configuration file (docs/haproxy.md).
      --lenient   statements without an equivalent are left out with a warning instead of refusing the file`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { lenient: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new GatehouseError(ErrorCode.USAGE, `convert: ${(error as Error).message}`);
  }
  if (parsed.values.help === true) {
    console.log(HELP);
    return 0;
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) throw new GatehouseError(ErrorCode.USAGE, 'convert: expected one haproxy.cfg file');
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new GatehouseError(ErrorCode.CONFIG_READ, `cannot read config file ${absolute}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`, { cause: error });
  }
  const translation = translateHaproxy(text, file, { lenient: parsed.values.lenient === true });
  for (const line of [...translation.warnings, ...translation.notices]) process.stderr.write(`gatehouse: ${line}\n`);
  if (translation.errors.length > 0) throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${file} cannot be converted:\n  ${translation.errors.join('\n  ')}`);
  parseGatewayConfig(translation.config, dirname(absolute), absolute);
  process.stdout.write(translationToYaml(translation, file));
  return 0;
}
