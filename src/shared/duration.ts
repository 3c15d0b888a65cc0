/**
 * Durations in config read as HAProxy users write them: `500ms`, `2s`, `1m`, `1h`, `1d`, or a bare
 * number of milliseconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const ms = amount * (UNIT_MS[unit] ?? 1);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
