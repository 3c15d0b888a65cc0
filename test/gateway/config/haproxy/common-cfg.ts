/** A realistic haproxy.cfg using the common directives Gatehouse translates (routing, answers, headers, balance, checks, listen). */
export const COMMON_CFG = `global
  nbthread 2

defaults
  mode http
  option httplog
  option forwardfor
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend www
  bind :8080
  acl is_api path_beg /api /v2
  acl host_shop hdr(host) -i shop.example.com
  acl is_get method GET HEAD
  http-request deny deny_status 403 content-type text/plain string "no admin" if { path_beg /admin }
  http-request redirect location https://example.com/new code 301 if { path_beg /old }
  http-request return status 200 content-type application/json string '{"ok":true}' if { path_beg /ping }
  http-request set-header X-Via gatehouse
  http-request del-header X-Debug
  http-response set-header X-Frame-Options DENY
  use_backend api if is_api is_get || host_shop
  use_backend static if { hdr_end(host) .cdn.example.com }
  default_backend web

backend api
  balance leastconn
  option httpchk GET /health
  http-check expect status 200
  default-server inter 3s rise 3 fall 2
  server a1 10.0.0.1:8080 check weight 10
  server a2 10.0.0.2:8080 check backup

backend static
  balance hdr(Host)
  server s1 10.0.0.3:80 disabled
  server s2 10.0.0.4:80 slowstart 30s

backend web
  balance source
  retries 2
  retry-on conn-failure 503
  timeout server 60s
  server w1 10.0.0.5:80

listen legacy
  bind 127.0.0.1:9000
  balance roundrobin
  server l1 10.0.0.6:80 check
`;
