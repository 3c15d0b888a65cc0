/**
 * Writes held to the end of the event loop's turn, then sent together.
 *
 * Every write to a loopback or LAN peer that is asleep in epoll wakes it, and the wake-up is paid by
 * the writer, inside its write(): on this machine's VMs that was 13 % of a worker's CPU when proxying,
 * and 22 % with RS256 verification, where each request's ~30 µs of crypto let the upstream fall asleep
 * between two requests. HAProxy runs every ready stream first and sends after, so one wake-up serves
 * a batch; holding writes until Node's check phase (setImmediate, after the poll phase has handled
 * every ready socket) gives the gateway the same shape. Nothing waits longer than the turn it was
 * written in: the check phase follows the poll phase, and a pending immediate keeps the poll from
 * blocking. Measured side by side on one pinned core: 12 % more requests per second proxying, 35 %
 * with a distinct RS256 token per request (docs/benchmarks.md).
 *
 * A held socket is corked (Node's own write buffering), so everything written to it meanwhile, by any
 * path, keeps its order and goes out in one write or writev at the flush; `end()` and `destroySoon()`
 * flush at once, as they do for any corked socket. While held, `writableLength` counts the held bytes,
 * so a connection with an answer still held never reads as idle.
 */
import type { Socket } from 'node:net';

let held: Socket[] = [];
let spare: Socket[] = [];
let scheduled = false;

/** Holds the socket's writes until the end of this turn of the event loop (a no-op if already corked). */
export function holdWrites(socket: Socket): void {
  if (socket.writableCorked !== 0) return;
  socket.cork();
  held.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushHeld);
  }
}

function flushHeld(): void {
  scheduled = false;
  // a write made while flushing (a 'drain' handler, say) is held again and flushed on the next turn
  const sockets = held;
  held = spare;
  spare = sockets;
  for (let i = 0; i < sockets.length; i++) {
    const socket = sockets[i] as Socket;
    if (!socket.destroyed && socket.writableCorked !== 0) socket.uncork();
  }
  sockets.length = 0;
}
