/** HAProxy time values (`us`, `ms` default, `s`, `m`, `h`, `d`) as milliseconds; undefined when malformed. */
const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function haproxyDuration(text: string | undefined): number | undefined {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text ?? '');
  if (match === null) return undefined;
  return Math.ceil(Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number));
}
