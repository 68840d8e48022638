#!/usr/bin/env bash
# Starts (or stops) the storage servers the remote-storage tests use, all on 127.0.0.1:
#   scripts/test-servers.sh start DIR   writes DIR/env: `export` lines for HOARD_TEST_*_URL and AWS test credentials
#   scripts/test-servers.sh stop DIR
# Redis (16379), memcached with an 8 MiB item limit (21211), nginx WebDAV (18080) and moto's S3 (15000); with
# HOARD_TEST_PORT_BASE=N they listen on N, N+1, N+2 and N+3 instead (a private set a test may kill).
set -euo pipefail
base=${HOARD_TEST_PORT_BASE:-}
redis_port=${base:+$base}; redis_port=${redis_port:-16379}
memcached_port=$(( ${base:-21210} + 1 ))
webdav_port=$(( ${base:-18078} + 2 ))
s3_port=$(( ${base:-14997} + 3 ))
redis_tls_port=$(( ${base:-16376} + 4 ))
webdav_tls_port=$(( ${base:-18438} + 5 ))
action=${1:?usage: test-servers.sh start|stop DIR}
dir=$(realpath -m "${2:?usage: test-servers.sh start|stop DIR}")
mkdir -p "$dir"
if [ "$action" = stop ]; then
    for pidfile in "$dir"/*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    [ -f "$dir/nginx/nginx.pid" ] && kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
    exit 0
fi

wait_for_port() {  # port
    for _ in $(seq 200); do
        (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "test-servers: nothing listens on 127.0.0.1:$1" >&2
    return 1
}

# A private CA and a certificate for 127.0.0.1 (an IP address only: "localhost" must fail verification).
mkdir -p "$dir/tls"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" -days 2 \
    -subj "/CN=hoard test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$dir/tls/server.key" -out "$dir/tls/server.csr" \
    -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$dir/tls/ext.cnf"
openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -CAcreateserial \
    -out "$dir/tls/server.pem" -days 2 -extfile "$dir/tls/ext.cnf" 2>/dev/null

redis-server --port 0 --tls-port "$redis_tls_port" --tls-cert-file "$dir/tls/server.pem" \
    --tls-key-file "$dir/tls/server.key" --tls-ca-cert-file "$dir/tls/ca.pem" --tls-auth-clients no \
    --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$dir/redis-tls.log" 2>&1 &
echo $! > "$dir/redis-tls.pid"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$dir/redis.log" 2>&1 &
echo $! > "$dir/redis.pid"
memcached -l 127.0.0.1 -p "$memcached_port" -U 0 -m 256 -I 8m -u root >"$dir/memcached.log" 2>&1 &
echo $! > "$dir/memcached.pid"

mkdir -p "$dir/nginx/logs" "$dir/nginx/tmp" "$dir/nginx/data"
cat > "$dir/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
user root;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log;
events { worker_connections 256; }
http {
  access_log $dir/nginx/logs/access.log;
  client_body_temp_path $dir/nginx/tmp/body;
  proxy_temp_path $dir/nginx/tmp/proxy;
  fastcgi_temp_path $dir/nginx/tmp/fastcgi;
  uwsgi_temp_path $dir/nginx/tmp/uwsgi;
  scgi_temp_path $dir/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$webdav_port;
    root $dir/nginx/data;
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
  server {
    listen 127.0.0.1:$webdav_tls_port ssl;
    ssl_certificate $dir/tls/server.pem;
    ssl_certificate_key $dir/tls/server.key;
    root $dir/nginx/data;
    client_max_body_size 0;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
CONF
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/logs/error.log" -g 'daemon on;'

command -v moto_server >/dev/null || python3 -m pip install -q "moto[server]" >/dev/null 2>&1
moto_server -H 127.0.0.1 -p "$s3_port" >"$dir/moto.log" 2>&1 &
echo $! > "$dir/moto.pid"

wait_for_port "$redis_port"
wait_for_port "$memcached_port"
wait_for_port "$webdav_port"
wait_for_port "$s3_port"
wait_for_port "$redis_tls_port"
wait_for_port "$webdav_tls_port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
python3 - "$s3_port" <<'PY'
import sys, boto3
boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1").create_bucket(Bucket="hoard-test")
PY

cat > "$dir/env" <<ENV
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export HOARD_TEST_REDIS_URL='redis://127.0.0.1:$redis_port'
export HOARD_TEST_MEMCACHED_URL='memcached://127.0.0.1:$memcached_port'
export HOARD_TEST_WEBDAV_URL='http://127.0.0.1:$webdav_port/cache'
export HOARD_TEST_S3_URL='s3://hoard-test/cache?endpoint=http://127.0.0.1:$s3_port&region=us-east-1'
export HOARD_TEST_REDIS_TLS_URL='rediss://127.0.0.1:$redis_tls_port'
export HOARD_TEST_WEBDAV_TLS_URL='https://127.0.0.1:$webdav_tls_port/cache'
export SSL_CERT_FILE='$dir/tls/ca.pem'
ENV
