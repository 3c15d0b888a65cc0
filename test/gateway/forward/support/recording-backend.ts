/**
 * A raw TCP backend that records every byte it receives, per connection, and answers each request head
 * with what the test's `answer` returns for it: plain HTTP apps answer an upgrade request 200; a
 * WebSocket server answers 101 (optionally after a delay, to see what arrives before it).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Head {
  readonly text: string;
  readonly requestLine: string;
}

export interface RecordingBackend {
  readonly port: number;
  /** Every byte received, all connections, in arrival order (latin1). */
  received(): string;
  close(): Promise<void>;
}

/**
 * `answer` returns the raw response for a request head, or a function taking the socket (to delay, or to
 * switch to echoing). Bytes after a head are read as the next head (requests here carry no body).
 */
export async function startRecordingBackend(answer: (head: Head, socket: Socket) => string | undefined): Promise<RecordingBackend> {
  let all = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let switched = false;
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      all += data;
      if (switched) return;
      buffer += data;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0 && !switched; end = buffer.indexOf('\r\n\r\n')) {
        const text = buffer.slice(0, end + 4);
        buffer = buffer.slice(end + 4);
        const reply = answer({ text, requestLine: text.slice(0, text.indexOf('\r\n')) }, socket);
        if (reply === undefined) switched = true; // the handler took the socket over
        else socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => all,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

export const OK_200 = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok';
