/**
 * The console changes nothing by itself: every write is a request to the identity provider's own JSON API,
 * made in-process (`app.inject`) with a superuser key that exists only in memory (`ctx.consoleKey`). The
 * same validation, key generation and storage code serves `curl`, the TypeScript client and this console.
 * FusionAuth's error bodies come back as `FormErrors`, keyed by the API's field paths.
 */
import type { FastifyInstance } from 'fastify';
import type { IdpContext } from '../context.js';

export interface FormErrors {
  /** `application.name` → messages. */
  readonly fields: Record<string, string[]>;
  readonly general: string[];
}

export interface ApiResult {
  readonly status: number;
  readonly body: any;
  readonly errors?: FormErrors;
}

function toErrors(status: number, body: any): FormErrors {
  const fields: Record<string, string[]> = {};
  for (const [field, list] of Object.entries((body?.fieldErrors ?? {}) as Record<string, { message: string }[]>)) fields[field] = list.map((e) => e.message);
  const general = ((body?.generalErrors ?? []) as { message: string }[]).map((e) => e.message);
  if (general.length === 0 && Object.keys(fields).length === 0) general.push(status === 404 ? 'Not found: it may have been deleted.' : `The request failed (HTTP ${status}).`);
  return { fields, general };
}

export class ConsoleApi {
  constructor(
    private readonly app: FastifyInstance,
    private readonly ctx: IdpContext,
  ) {}

  async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, tenantId?: string): Promise<ApiResult> {
    const response = await this.app.inject({
      method,
      url,
      headers: {
        authorization: this.ctx.consoleKey ?? '',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(tenantId === undefined ? {} : { 'x-fusionauth-tenantid': tenantId }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    let parsed: unknown;
    try {
      parsed = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    const ok = response.statusCode >= 200 && response.statusCode < 300;
    return ok ? { status: response.statusCode, body: parsed } : { status: response.statusCode, body: parsed, errors: toErrors(response.statusCode, parsed) };
  }
}
