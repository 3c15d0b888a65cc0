/**
 * A realistic haproxy.cfg of conditions and header rules (the sixth differential file): named defaults with
 * `from`, `!`, `unless`, `src`, `path`, `path_end`, `path_reg`, `hdr_beg(host)`, `hdr_end(host) -i`, `method`,
 * `||` and implicit AND on use_backend and http-request rules, conditional set-header/add-header/del-header,
 * and backend http-request rules. The frontend binds `"127.0.0.1:${PORT}"`.
 */
export function conditionsCfg(upstreams: Record<string, string>): string {
  return `defaults base
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend edge from base
  bind "127.0.0.1:\${PORT}"
  acl from_office src 127.0.0.2
  acl api_host hdr_beg(host) -i api.
  acl legacy path_end .php .asp
  acl versioned path_reg ^/v[0-9]+/
  acl writes method POST PUT DELETE
  http-request deny deny_status 403 content-type text/plain string "office only" if { path_beg /internal } !from_office
  http-request return status 410 content-type text/plain string "gone" if legacy || { path /old-home }
  http-request set-header X-Env dev
  http-request set-header X-Env prod if { hdr_end(host) -i .prod.example.com }
  http-request add-header X-Audit write unless { method GET HEAD }
  http-request del-header X-Debug if !from_office
  http-request add-header X-Tag edge
  use_backend api if api_host || versioned
  use_backend writes if writes !{ path_beg /internal }
  default_backend web

backend api
  http-request set-header X-Backend api
  http-request add-header X-Canary yes if { hdr(x-canary-cookie) -m found }
  http-request deny deny_status 405 content-type text/plain string "read only" if { method DELETE }
  server a1 ${upstreams.api}

backend writes
  http-request del-header X-Tag
  server w1 ${upstreams.writes}

backend web
  server s1 ${upstreams.web}
`;
}

