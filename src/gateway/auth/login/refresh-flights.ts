/**
 * One refresh per session at a time in this worker (single-flight), and kept for REUSE_MS after it
 * settles: requests the browser sent with the old cookie before it had the new one get the same result
 * instead of spending the (often one-time-use) refresh token a second time. Bounded: at most
 * MAX_REMEMBERED sessions; settled entries go first, then the oldest.
 */
import type { Session } from './session.js';

const REUSE_MS = 30_000;
const MAX_REMEMBERED = 10_000;

interface Flight {
  readonly refreshToken: string;
  readonly result: Promise<Session | undefined>;
  settledAt: number;
}

export class RefreshFlights {
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly now: () => number,
    private readonly refresh: (session: Session) => Promise<Session | undefined>,
  ) {}

  /** The refreshed session, or undefined when it cannot be refreshed (no refresh token, refused). */
  run(session: Session): Promise<Session | undefined> {
    if (session.refreshToken === undefined) return Promise.resolve(undefined);
    const now = this.now();
    const known = this.flights.get(session.sid);
    if (known !== undefined && known.refreshToken === session.refreshToken && (known.settledAt === 0 || now - known.settledAt < REUSE_MS)) return known.result;
    if (this.flights.size >= MAX_REMEMBERED) this.forget(now);
    const flight: Flight = { refreshToken: session.refreshToken, result: this.refresh(session), settledAt: 0 };
    void flight.result.finally(() => {
      flight.settledAt = this.now();
    });
    this.flights.set(session.sid, flight);
    return flight.result;
  }

  private forget(now: number): void {
    for (const [sid, flight] of this.flights) if (flight.settledAt !== 0 && now - flight.settledAt >= REUSE_MS) this.flights.delete(sid);
    // still full of recent ones: forget the oldest (their late requests refresh again, or sign in again)
    for (const sid of this.flights.keys()) {
      if (this.flights.size < MAX_REMEMBERED) break;
      this.flights.delete(sid);
    }
  }
}
