/**
 * Markers: every byte a test client sends carries its owner's name, so that any byte seen elsewhere (at
 * the backend, in another client's response) can be traced back. `~C12~` is case (or fuzz client) 12;
 * `~C12R3~` is its request 3, written in a request's target where the sender meant a request line;
 * `~C12S3~` marks request-shaped text the sender put inside a body (a smuggling attempt), which must
 * never arrive at the backend as a request.
 */

export interface Marker {
  readonly owner: number;
  readonly kind: 'owner' | 'request' | 'smuggled';
  readonly index: number;
}

const MARKER = /~C(\d+)(?:([RS])(\d+))?~/g;

export const ownerMarker = (owner: number): string => `~C${owner}~`;
export const requestMarker = (owner: number, index: number): string => `~C${owner}R${index}~`;
export const smuggledMarker = (owner: number, index: number): string => `~C${owner}S${index}~`;

/** Every marker in `text` (latin1 text of raw bytes). */
export function markersIn(text: string): Marker[] {
  const out: Marker[] = [];
  for (const m of text.matchAll(MARKER)) {
    const kind = m[2] === undefined ? 'owner' : m[2] === 'R' ? 'request' : 'smuggled';
    out.push({ owner: Number(m[1]), kind, index: m[3] === undefined ? -1 : Number(m[3]) });
  }
  return out;
}

export function ownersIn(text: string): Set<number> {
  return new Set(markersIn(text).map((m) => m.owner));
}

/** The first request or smuggled marker of a request target, if any. */
export function targetMarker(target: string): Marker | undefined {
  return markersIn(target).find((m) => m.kind !== 'owner');
}
