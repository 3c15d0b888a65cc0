/** `gatehouse up` (what `npm start` runs): the identity provider, the echo service and the gateway, wired as the seed. */
import { parseUpOptions, runUp, UP_HELP } from '../up/index.js';

export async function run(argv: string[]): Promise<number> {
  const options = parseUpOptions(argv);
  if (options === undefined) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  return runUp(options);
}
