/**
 * A raw TCP upstream that records each request-target it receives, byte for byte (no HTTP library
 * between the proxy and the record), and answers 200 with its name, keeping the connection alive.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RecordingUpstream {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Request-targets received, in order. */
  readonly targets: string[];
  close(): Promise<void>;
}

export async function startRecordingUpstream(name: string): Promise<RecordingUpstream> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const body = JSON.stringify({ server: name });
  const answer = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('latin1');
    let buffer = '';
    socket.on('data', (data: string) => {
      buffer += data;
      let end: number;
      // requests without bodies only (the differential sends GETs)
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const line = buffer.slice(0, buffer.indexOf('\r\n'));
        buffer = buffer.slice(end + 4);
        targets.push(line.split(' ')[1] ?? '');
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    port,
    address: `127.0.0.1:${port}`,
    targets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
