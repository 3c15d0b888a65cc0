/**
 * Request IDs (HAProxy's `unique-id-format` + `unique-id-header`, Envoy's `x-request-id`): with
 * `request_id` on a frontend, every proxied request carries one ID to the upstream, back to the client
 * and into its access-log line. A client's own ID is kept when `trust_client` allows it and it is a
 * plain token (letters, digits and `._:@/+=-`, at most 200 characters); otherwise a random UUID is made.
 */
import { randomUUID } from 'node:crypto';
import { replaceHeaders } from './header-rules.js';

export interface RequestIdConfig {
  /** The header as configured (sent with this spelling) and in lower case (as Node presents it). */
  readonly header: string;
  readonly lower: string;
  readonly trustClient: boolean;
}

const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

export function requestId(config: RequestIdConfig, sent: string | string[] | undefined): string {
  return config.trustClient && typeof sent === 'string' && SAFE_ID.test(sent) ? sent : randomUUID();
}

/** A flat [name, value, ...] list without other copies of the ID header, then [header, id]. */
export function withRequestId(headers: readonly string[], config: RequestIdConfig, id: string): string[] {
  return replaceHeaders(headers, [config.lower], [[config.header, id]]);
}
