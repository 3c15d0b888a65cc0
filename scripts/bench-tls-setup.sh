# Sourced by the TLS bench scripts (bench-tls-pairs.sh, bench-h2-pairs.sh), in their temporary directory
# $dir: an nginx upstream answering `ok` on 127.0.0.1:$upstream (in the background), and a self-signed
# ECDSA P-256 certificate for localhost in site.pem / site.key.
mkdir -p nginx/logs
cat > nginx/nginx.conf <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/nginx/b; proxy_temp_path $dir/nginx/p; fastcgi_temp_path $dir/nginx/f;
  uwsgi_temp_path $dir/nginx/u; scgi_temp_path $dir/nginx/s;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$upstream; location / { return 200 'ok'; } }
}
EOF
/usr/sbin/nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" &
openssl ecparam -name prime256v1 -genkey -noout -out site.key 2>/dev/null
openssl req -new -x509 -key site.key -out site.pem -days 7 -subj /CN=localhost 2>/dev/null
