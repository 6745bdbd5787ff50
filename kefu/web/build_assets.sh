#!/bin/sh
# Installs the pages' third-party browser code from the npm registry (pinned in
# package-lock.json) and copies the UMD bundles into static/vendor/, which the server serves.
# Runs at build/install time only: the pages never fetch anything from a CDN at run time.
# Without npm (or without the registry) the dashboard still works, showing tables and a notice.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/static/vendor"
if ! command -v npm >/dev/null 2>&1; then
  echo "build_assets: npm not found; the dashboard will show tables without charts" >&2
  exit 0
fi
npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p "$vendor"
cp "$here/node_modules/chart.js/dist/chart.umd.js" "$vendor/chart.umd.js"
cp "$here/node_modules/chart.js/LICENSE.md" "$vendor/chart.js.LICENSE.txt"
echo "build_assets: chart.js copied to $vendor"
