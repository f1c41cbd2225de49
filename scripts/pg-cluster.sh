# Sourced by scripts that need a throwaway PostgreSQL cluster (not executable on its own).
#   pg_cluster_start   initdb into a temp dir, pg_ctl start on 127.0.0.1 at a free port; sets PG_DIR, PG_PORT, PG_URL
#   pg_cluster_stop [immediate|fast]
#   pg_cluster_restart
# As root, initdb and pg_ctl run as the `postgres` user (initdb refuses root), which then owns the directory.
# Binaries: $SIGIL_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian), else $PATH.

pg_bin_dir() {
  if [ -n "${SIGIL_PG_BIN:-}" ]; then echo "$SIGIL_PG_BIN"; return; fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -n "$dir" ]; then echo "$dir"; return; fi
  dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)"
}

pg_run() {
  local tool="$1"; shift
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$PG_BIN/$tool" "$@")
  else
    "$PG_BIN/$tool" "$@"
  fi
}

pg_cluster_start() {
  PG_BIN="$(pg_bin_dir)"
  [ -x "$PG_BIN/pg_ctl" ] || { echo "no PostgreSQL binaries (apt-get install postgresql)" >&2; return 2; }
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sigil-pg.XXXXXX")"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  pg_run initdb -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-instructions >/dev/null
  pg_cluster_restart
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
}

pg_cluster_restart() {
  pg_run pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_OPTIONS:-}" start >/dev/null
}

pg_cluster_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] || return 0
  pg_run pg_ctl -D "$PG_DIR/data" -m "${1:-fast}" -w stop >/dev/null 2>&1 || true
}

pg_cluster_destroy() {
  pg_cluster_stop immediate
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
}
