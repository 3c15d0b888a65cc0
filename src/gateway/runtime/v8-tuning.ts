/**
 * V8 settings of a gateway process, applied by `gatehouse gateway` before it serves (in the primary, each
 * cluster worker and the single process alike). Today one: **allocation-site pretenuring is turned off**.
 *
 * Why. V8 counts, per allocation site, how many of its objects survive a young-generation collection; when
 * most do, it "pretenures" the site: its objects are born in the old generation from then on. Under HTTP/2
 * load, node:http2's per-stream objects (the stream, its stream states, header objects) are still in flight
 * at a scavenge often enough for V8 to pretenure their sites. From then on every stream's objects are born
 * old and die old, freed only by full collections, and each old one pointing at a young object is one
 * more root for the next scavenge. Measured with one worker at 5,000 h2 requests/s over TLS, 15 s
 * (`--trace-gc-nvp`, docs/http2.md "GC pauses"): 90–124 MB promoted with pretenuring, 26–31 MB without; the
 * longest scavenges 20–57 ms with it, mostly 8–14 ms without. HTTP/1.1 (JWT, distinct tokens,
 * 6,000 requests/s) was neutral: 15 against 19 MB promoted, scavenges below 11 ms either way.
 *
 * Unlike the young generation's size, fixed when the heap is made (so only a command-line flag can set it),
 * this flag is read at every collection's pretenuring decision, so `v8.setFlagsFromString` at start takes
 * effect, and a one-process gateway and cluster workers behave alike.
 *
 * `GATEHOUSE_V8_PRETENURING=on` keeps V8's default; any value other than `on` or `off` is refused.
 */
import v8 from 'node:v8';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export const V8_PRETENURING_ENV = 'GATEHOUSE_V8_PRETENURING';

/** Whether pretenuring stays on, read from the environment; throws ERR_CONFIG_INVALID on any other value. */
export function pretenuringWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[V8_PRETENURING_ENV];
  if (value === undefined || value === '' || value === 'off') return false;
  if (value === 'on') return true;
  throw new GatehouseError(ErrorCode.CONFIG_INVALID, `${V8_PRETENURING_ENV}: expected on or off, got ${JSON.stringify(value.slice(0, 40))}`);
}

/** Applies the gateway's V8 settings to this process (see the module comment). */
export function applyV8Tuning(env: NodeJS.ProcessEnv = process.env): void {
  if (!pretenuringWanted(env)) v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
