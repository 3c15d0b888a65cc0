/**
 * The benchmarks' upstream: Debian's nginx answering 200 "ok" (one worker, no access log), or, when
 * nginx is missing, a minimal node:http server in its own process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../../test/support/services.js';
import { freePort, startProcess, type Running } from '../../test/gateway/auth/e2e/processes.js';

export interface Upstream extends Running {
  readonly address: string;
  readonly kind: 'nginx' | 'node';
}

export async function startUpstream(workDir: string): Promise<Upstream> {
  const port = await freePort();
  const nginx = findExecutable('/usr/sbin/nginx') ?? findExecutable('nginx');
  if (nginx !== undefined) {
    const dir = join(workDir, 'nginx');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs', 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 'ok'; }
  }
}
`,
    );
    const running = await startProcess(nginx, ['-p', dir, '-c', join(dir, 'nginx.conf')], port);
    return { ...running, address: `127.0.0.1:${port}`, kind: 'nginx' };
  }
  const script = join(workDir, 'upstream.mjs');
  writeFileSync(script, `import { createServer } from 'node:http';\ncreateServer((q, s) => s.end('ok')).keepAliveTimeout = 60000;\ncreateServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');\n`);
  const running = await startProcess(process.execPath, [script], port);
  return { ...running, address: `127.0.0.1:${port}`, kind: 'node' };
}
