/** Config field types shared by the gateway's schemas (config/schema.ts, limit/schema.ts). */
import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';
import { parseHostPort } from './address.js';

/** A duration (`500ms`, `2s`, `1m`, or a number of ms) in milliseconds; `range` bounds it, named in the message. */
export function durationField(message: string, range?: { readonly min: number; readonly max: number; readonly what: string }) {
  return z.union([z.string(), z.number()], { error: message }).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined || (range !== undefined && (ms < range.min || ms > range.max))) {
      ctx.addIssue({ code: 'custom', message: range === undefined ? message : `${message} (${range.what})` });
      return z.NEVER;
    }
    return ms;
  });
}

/** `host:port`; with `allowZero`, port 0 picks a free port. */
export function hostPortField(allowZero: boolean) {
  return z.string({ error: 'expected host:port' }).transform((value, ctx) => {
    const parsed = parseHostPort(value, { allowZero });
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: allowZero ? 'expected host:port (port 0 picks a free port)' : 'expected host:port' });
      return z.NEVER;
    }
    return parsed;
  });
}
