#!/usr/bin/env bash
# The one entry point behind `npm run demo|test|bench|up|down|status`: installs what is missing
# (npm packages incl. the Node 22 runtime, Java and Maven for the Kafka broker), builds, then runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET="${1:?usage: run.sh <demo|test|bench|up|down|status>}"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# 1. npm packages, including the project's own Node.js 22 (the `node` package): installed when
#    node_modules is missing or older than package-lock.json.
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
NODE="$ROOT/node_modules/.bin/node"
if [ ! -x "$NODE" ]; then
  echo "node_modules/.bin/node is missing: the npm package 'node' installs it in its preinstall script, which package.json's allowScripts must allow" >&2
  exit 1
fi
export PATH="$ROOT/node_modules/.bin:$PATH"
log "node $("$NODE" --version)"

# 2. Java 17+ and Maven run and fetch the Kafka broker (Debian packages if missing).
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Java 17 and Maven (apt-get)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  else
    echo "Java 17+ and Maven are needed to run the Kafka broker; install them (e.g. apt-get install openjdk-17-jre-headless maven)" >&2
    exit 1
  fi
fi

# 3. PostgreSQL: DATABASE_URL, by default the local server; start the local cluster if it is down.
if command -v pg_isready >/dev/null && [ -z "${DATABASE_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    log "starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi

build() {
  log "building (SWC → dist/)"
  "$NODE" tools/build.mjs
}

case "$TARGET" in
  demo)
    build
    exec "$NODE" --enable-source-maps dist/tools/demo/demo.js
    ;;
  test)
    build
    exec "$NODE" dist/tools/scripts/test.js
    ;;
  bench)
    build
    exec "$NODE" --enable-source-maps dist/bench/run.js "${@:2}"
    ;;
  up | down | status)
    [ "$TARGET" = up ] && build
    exec "$NODE" --enable-source-maps dist/tools/stack/cli.js "$TARGET"
    ;;
  *)
    echo "unknown target $TARGET" >&2
    exit 2
    ;;
esac
