# Sourced by .ci/run (bash, set -euo pipefail): starts a throwaway PostgreSQL on
# 127.0.0.1 for the store tests and exports VIP_POSTGRES_DSN. Installs PostgreSQL from
# Debian's packages when initdb is missing. Works as root (the server runs as the
# postgres user) and as an ordinary user. A DSN already in the environment is kept.
if [ -n "${VIP_POSTGRES_DSN:-}" ]; then
  echo "PostgreSQL: using VIP_POSTGRES_DSN from the environment"
else
  vip_pg_bin=""
  vip_pg_find() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
      if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then vip_pg_bin="$d"; fi
    done
  }
  vip_pg_find
  if [ -z "$vip_pg_bin" ]; then
    echo "PostgreSQL: installing from Debian packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    vip_pg_find
  fi
  [ -n "$vip_pg_bin" ] || { echo "PostgreSQL: no initdb after installing" >&2; exit 1; }

  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  vip_pg_as() { # run a command as the cluster's owner
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
  }
  vip_pg_dir=$(mktemp -d /tmp/vip-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$vip_pg_dir"; fi
  vip_pg_port=""
  for p in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then vip_pg_port=$p; break; fi
  done
  [ -n "$vip_pg_port" ] || { echo "PostgreSQL: no free port in 55432-55532" >&2; exit 1; }

  vip_pg_as "$vip_pg_bin/initdb" -D "$vip_pg_dir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  vip_pg_as "$vip_pg_bin/pg_ctl" -D "$vip_pg_dir/data" -l "$vip_pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$vip_pg_port -c unix_socket_directories=$vip_pg_dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  vip_pg_cleanup() {
    vip_pg_as "$vip_pg_bin/pg_ctl" -D "$vip_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$vip_pg_dir"
  }
  trap vip_pg_cleanup EXIT
  vip_pg_as "$vip_pg_bin/createdb" -h 127.0.0.1 -p "$vip_pg_port" -U postgres vip
  export VIP_POSTGRES_DSN="postgres://postgres@127.0.0.1:$vip_pg_port/vip?sslmode=disable"
  echo "PostgreSQL: $("$vip_pg_bin/postgres" --version) on 127.0.0.1:$vip_pg_port, VIP_POSTGRES_DSN set"
fi
