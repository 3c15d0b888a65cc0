/**
 * A log-linear latency histogram in the manner of HdrHistogram: values in µs, exact below 256 µs, then
 * 128 sub-buckets per power of two (under 0.8 % relative error), up to ~1 hour; the max is kept exactly.
 * Histograms merge by adding counts, so connections or processes record separately.
 */
const SUB = 128;
const LINEAR = 2 * SUB;
const BUCKETS = LINEAR + 26 * SUB;

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  maxUs = 0;

  record(us: number): void {
    const v = Math.max(0, Math.round(us));
    if (v > this.maxUs) this.maxUs = v;
    this.counts[index(v)]! += 1;
    this.count++;
  }

  merge(other: { counts: ArrayLike<number>; count: number; maxUs: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.count += other.count;
    this.maxUs = Math.max(this.maxUs, other.maxUs);
  }

  /** The value (µs) at percentile p (0..100): the midpoint of the bucket holding it, capped at the max. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(this.maxUs, midpoint(i));
    }
    return this.maxUs;
  }

  toJSON(): { counts: number[]; count: number; maxUs: number } {
    return { counts: Array.from(this.counts), count: this.count, maxUs: this.maxUs };
  }
}

function index(v: number): number {
  if (v < LINEAR) return v;
  const shift = 32 - Math.clz32(v) - 8; // ≥ 1: v >>> shift is in [128, 256)
  return Math.min(BUCKETS - 1, LINEAR + (shift - 1) * SUB + ((v >>> shift) - SUB));
}

function midpoint(i: number): number {
  if (i < LINEAR) return i;
  const shift = Math.floor((i - LINEAR) / SUB) + 1;
  const sub = ((i - LINEAR) % SUB) + SUB;
  return (sub << shift) + (1 << (shift - 1));
}
