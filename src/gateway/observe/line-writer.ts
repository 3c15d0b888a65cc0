/**
 * A log destination that batches lines written during one event-loop turn into few writes, each made of
 * whole lines and at most PIPE_BUF (4096) bytes unless a single line is longer — so lines from several
 * worker processes sharing one stdout pipe never interleave mid-line, and an access line per request does
 * not cost a write system call per request. Writes are synchronous (ordering kept, nothing lost at exit).
 */
import { writeSync } from 'node:fs';

const ATOMIC = 4096;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export class BatchedLineWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private scheduled = false;

  constructor(fd = 1) {
    this.fd = fd;
    process.once('exit', () => this.flush());
  }

  /** pino calls this with one serialised line (ending in \n). */
  write(line: string): boolean {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
    return true;
  }

  private readonly flushNow = (): void => this.flush();

  flush(): void {
    this.scheduled = false;
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    let chunk = '';
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const size = Buffer.byteLength(line);
      if (bytes > 0 && bytes + size > ATOMIC) {
        this.writeAll(chunk);
        chunk = '';
        bytes = 0;
      }
      chunk += line;
      bytes += size;
    }
    if (bytes > 0) this.writeAll(chunk);
  }

  private writeAll(text: string): void {
    const buffer = Buffer.from(text);
    let offset = 0;
    while (offset < buffer.length) {
      try {
        offset += writeSync(this.fd, buffer, offset);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(PAUSE, 0, 0, 1); // the reader is behind: wait 1 ms, as a blocking write would
          continue;
        }
        return; // stdout closed: drop the lines rather than crash the gateway
      }
    }
  }
}
