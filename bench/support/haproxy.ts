/** The `global` and `defaults` sections every benchmark's HAProxy shares: `nbthread`, HTTP mode, keep-alive, timeouts. */
export function haproxyPreamble(threads: number, globalExtra = ''): string {
  return `global
  nbthread ${threads}
  maxconn 4000
${globalExtra}defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 30s
  timeout server 30s
`;
}
