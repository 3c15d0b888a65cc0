/**
 * Port checks before anything starts, so a port already in use is reported as one clear line naming the
 * port and the flag that changes it — not as a stack trace from whichever part happened to bind first.
 */
import { createServer } from 'node:net';
import { ErrorCode, GatehouseError } from '../../shared/errors.js';

export interface PortClaim {
  /** What wants the port, e.g. `gateway`. */
  readonly what: string;
  readonly host: string;
  readonly port: number;
  /** The flag that changes it, e.g. `--gateway-port`. */
  readonly flag: string;
}

/** Under `npm start`, flags go after `--`; say so, since that is where people trip. */
function npmHint(flags: readonly string[]): string {
  return process.env.npm_lifecycle_event === 'start' ? ` (with npm: npm start -- ${flags.map((f) => `${f} <port>`).join(' ')})` : '';
}

export function portInUseError(claim: PortClaim, cause?: unknown): GatehouseError {
  return new GatehouseError(
    ErrorCode.PORT_IN_USE,
    `port ${claim.port} (${claim.what}) is already in use on ${claim.host}; stop what uses it or choose another port with ${claim.flag} <port>${npmHint([claim.flag])}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Every busy port in one message, so one retry is enough. */
function portsInUseError(busy: readonly PortClaim[]): GatehouseError {
  if (busy.length === 1) return portInUseError(busy[0] as PortClaim);
  const list = busy.map((c) => `${c.port} (${c.what}, ${c.flag})`).join(', ');
  return new GatehouseError(
    ErrorCode.PORT_IN_USE,
    `ports ${list} are already in use on ${(busy[0] as PortClaim).host}; stop what uses them or choose other ports with those flags${npmHint(busy.map((c) => c.flag))}`,
  );
}

/** Resolves true when the port is free, false when it is in use; other listen errors reject. */
function probe(claim: PortClaim): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(new GatehouseError(ErrorCode.USAGE, `cannot listen on ${claim.host}:${claim.port} (${claim.what}, ${claim.flag}): ${error.code ?? error.message}`, { cause: error }));
    });
    server.listen({ port: claim.port, host: claim.host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Rejects with ERR_PORT_IN_USE naming every claimed port that cannot be bound, or for two claims of one port. */
export async function checkPortsFree(claims: readonly PortClaim[]): Promise<void> {
  const seen = new Map<number, PortClaim>();
  const busy: PortClaim[] = [];
  for (const claim of claims) {
    if (claim.port === 0) continue;
    const other = seen.get(claim.port);
    if (other !== undefined) {
      throw new GatehouseError(ErrorCode.USAGE, `port ${claim.port} is asked for twice (${other.flag} and ${claim.flag}); give each part its own port`);
    }
    seen.set(claim.port, claim);
  }
  for (const claim of seen.values()) if (!(await probe(claim))) busy.push(claim);
  if (busy.length > 0) throw portsInUseError(busy);
}

/** Turns a listen error from a part that is starting into the same clear message. */
export function explainListenError(error: unknown, claim: PortClaim): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' ? portInUseError(claim, error) : error;
}
