/**
 * HAProxy's request rate limiting — `stick-table type ip … store http_req_rate(<period>)` +
 * `http-request track-sc0 <key>` + `http-request deny deny_status 429 if { sc_http_req_rate(0) gt <N> }`
 * (../shared/reference/haproxy-cfg.md §15) — recognised as a whole and translated to one entry of
 * `rate_limits` (N requests per period, per key) used by the frontend. Other shapes are problems.
 */
import type { Statement } from './lexer.js';
import type { Condition } from './conditions.js';
import { haproxyDuration } from './durations.js';

export interface RateLimit {
  requests: number;
  period: number;
  key: string;
}

type Problem = { st: Statement; message: string; nearest?: string };

export class RateLimitRules {
  private table: { st: Statement; period: number; type: string } | undefined;
  private track: { st: Statement; key: string } | undefined;
  private deny: { st: Statement; requests: number } | undefined;
  readonly problems: Problem[] = [];

  stickTable(st: Statement, args: readonly string[]): void {
    const type = args[args.indexOf('type') + 1];
    const store = args[args.indexOf('store') + 1] ?? '';
    const period = haproxyDuration(/^http_req_rate\((\w+)\)$/.exec(store)?.[1]);
    if (args.indexOf('type') < 0 || args.indexOf('store') < 0 || period === undefined || store.includes(',') || args.includes('peers')) {
      this.problems.push({ st, message: 'only a stick table storing http_req_rate(<period>) alone translates', nearest: 'rate_limits' });
    } else this.table = { st, period, type: type ?? '' };
  }

  /** `http-request track-sc0 <key>`. */
  trackSc(st: Statement, action: string, args: readonly string[], cond: Condition | undefined): void {
    const fetch = args[0] ?? '';
    const header = /^req\.hdr\(([A-Za-z0-9-]+)\)$/.exec(fetch)?.[1];
    const key = fetch === 'src' ? 'source' : header !== undefined ? `header(${header})` : undefined;
    if (action !== 'track-sc0' || args.length !== 1 || cond !== undefined || key === undefined) {
      this.problems.push({ st, message: 'only an unconditional "track-sc0 src" or "track-sc0 req.hdr(<name>)" translates', nearest: 'rate_limits.<name>.key: source | header(<name>)' });
    } else this.track = { st, key };
  }

  /** True when `cond` is `{ sc_http_req_rate(0) gt N }` / `sc0_http_req_rate`; records the deny. */
  denyIfRate(st: Statement, answer: readonly string[], cond: Condition | undefined): boolean {
    const test = cond?.groups.length === 1 && cond.groups[0]!.length === 1 ? cond.groups[0]![0]!.tests[0] : undefined;
    const fetch = test?.sample.fetch;
    if (fetch === undefined || !(fetch.name === 'sc0_http_req_rate' || (fetch.name === 'sc_http_req_rate' && fetch.args[0] === '0'))) return false;
    const [op, limit] = test!.patterns;
    if (cond!.unless || cond!.groups[0]![0]!.negate || (op !== 'gt' && op !== 'ge') || !/^\d+$/.test(limit ?? '') || answer.join(' ') !== 'deny_status 429') {
      this.problems.push({ st, message: 'only "deny deny_status 429 if { sc_http_req_rate(0) gt <N> }" translates', nearest: 'rate_limits.<name>.requests' });
      return true;
    }
    this.deny = { st, requests: op === 'gt' ? Number(limit) : Number(limit) - 1 };
    return true;
  }

  /** The limit, when the three parts are there; problems for a part without the others. */
  finish(): RateLimit | undefined {
    const parts = [this.table, this.track, this.deny];
    if (parts.every((p) => p === undefined) || this.problems.length > 0) return undefined;
    if (parts.some((p) => p === undefined)) {
      const st = (this.table ?? this.track ?? this.deny)!.st;
      this.problems.push({ st, message: 'a rate limit needs the stick-table, the track-sc0 and the deny_status 429 rule together', nearest: 'rate_limits' });
      return undefined;
    }
    if (this.deny!.requests < 1) {
      this.problems.push({ st: this.deny!.st, message: 'a limit of 0 requests', nearest: 'rate_limits.<name>.requests (at least 1)' });
      return undefined;
    }
    if (this.track!.key === 'source' && this.table!.type !== 'ip' && this.table!.type !== 'ipv6') {
      this.problems.push({ st: this.table!.st, message: 'track-sc0 src needs a table of type ip or ipv6' });
      return undefined;
    }
    return { requests: this.deny!.requests, period: this.table!.period, key: this.track!.key };
  }

  /** Where the limit came from (for convert's comments). */
  where(): string {
    return [this.table, this.track, this.deny].map((p) => `${p!.st.file}:${p!.st.line}`).join(', ') + ': stick-table + track-sc0 + deny_status 429';
  }
}
