/**
 * Sends FusionAuth-shaped event envelopes (`{"event": {...}}`, POST, JSON) to the configured webhook
 * URLs, in parallel, each with a timeout. FusionAuth's revocation events are transactional (a failing
 * webhook fails the API call with 504); here the revocation has already happened when they are sent, so
 * a failing webhook is logged (URL, status or error code — never the body) and the call succeeds.
 */
import type { Logger } from '../../shared/logger.js';

const WEBHOOK_TIMEOUT_MS = 2_000;

export class RevocationWebhooks {
  constructor(private readonly urls: readonly string[], private readonly logger: Logger) {}

  async send(event: Record<string, unknown>): Promise<void> {
    if (this.urls.length === 0) return;
    const body = JSON.stringify({ event });
    await Promise.all(this.urls.map((url) => this.post(url, body, event)));
  }

  private async post(url: string, body: string, event: Record<string, unknown>): Promise<void> {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (!response.ok) this.logger.warn({ event: 'idp.webhook.failed', url, type: event.type, id: event.id, status: response.status }, 'webhook answered with an error status');
    } catch (error) {
      this.logger.warn({ event: 'idp.webhook.failed', url, type: event.type, id: event.id, code: (error as Error).name }, 'webhook could not be delivered');
    }
  }
}
