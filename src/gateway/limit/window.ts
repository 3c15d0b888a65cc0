/**
 * The sliding-window counter both stores use (the approximation Cloudflare and Kong use): time is cut
 * into windows of `period`; a key's rate is its count in the current window plus its count in the
 * previous window weighted by how much of that window still lies within the last `period`. A request
 * is admitted, and counted, only while that estimate stays at or under `requests`; a refused request is
 * not counted, so a client that keeps retrying gets in again as soon as its rate allows.
 *
 * It needs two counters per key (no timestamp per request). A fixed window lets a burst around a boundary
 * reach 2 × requests; the weighted previous count closes most of that gap. It is an estimate (it assumes the
 * previous window's requests were spread evenly), so requests bunched at the end of one window can still put
 * somewhat more than `requests`, never 2 ×, into some exact period.
 */

export interface WindowCounts {
  /** Requests counted in the previous window. */
  readonly previous: number;
  /** Requests counted in the current window so far (this request not included). */
  readonly current: number;
}

export interface WindowVerdict {
  readonly allowed: boolean;
  /** Refused: milliseconds until a request would be admitted (0 when allowed). */
  readonly retryAfterMs: number;
  /** Admitted: requests left at this moment after this one (the estimate's headroom, rounded down); refused: 0. */
  readonly remaining: number;
  /** Milliseconds until the current window ends (its count then starts to fade). */
  readonly resetMs: number;
}

/** The window `now` falls in, and how far into it (ms). */
export function windowOf(now: number, period: number): { index: number; elapsed: number } {
  const index = Math.floor(now / period);
  return { index, elapsed: now - index * period };
}

/** The estimated rate if one more request were admitted `elapsed` ms into the current window. */
export function estimate(counts: WindowCounts, elapsed: number, period: number): number {
  return counts.previous * ((period - elapsed) / period) + counts.current + 1;
}

export function decide(counts: WindowCounts, elapsed: number, period: number, requests: number): WindowVerdict {
  const rate = estimate(counts, elapsed, period);
  const resetMs = period - elapsed;
  if (rate <= requests) return { allowed: true, retryAfterMs: 0, remaining: Math.floor(requests - rate), resetMs };
  return { allowed: false, retryAfterMs: retryAfter(counts, elapsed, period, requests), remaining: 0, resetMs };
}

/**
 * How long until the estimate allows one more request, assuming no other request is admitted meanwhile:
 * within this window if the previous window's share decays enough, else in the next one, where this
 * window's count becomes the decaying share.
 */
export function retryAfter(counts: WindowCounts, elapsed: number, period: number, requests: number): number {
  const room = requests - counts.current - 1;
  if (room >= 0 && counts.previous > 0) {
    // previous × (period − t) / period ≤ room  ⇔  t ≥ period × (1 − room / previous)
    const t = period * (1 - room / counts.previous);
    return Math.max(1, Math.ceil(t - elapsed));
  }
  const untilNext = period - elapsed;
  if (counts.current === 0) return Math.max(1, Math.ceil(untilNext));
  const t = period * (1 - (requests - 1) / counts.current);
  return Math.max(1, Math.ceil(untilNext + Math.max(0, t)));
}
