#!/usr/bin/env bash
# The test command (README): installs what the tests need, builds, and runs every test project.
# Usage: ./scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~OrderStore"]
set -euo pipefail
cd "$(dirname "$0")/.."

# Node tools (Azurite) pinned in package.json / package-lock.json.
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# Chromium for the browser tests (Debian packages; never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install chromium chromium-driver" >&2
  fi
fi

dotnet restore Functions.sln --verbosity quiet
dotnet build Functions.sln --no-restore --configuration Release --verbosity quiet -nologo
# One test project at a time (-m:1): each starts its own Azurite, sandbox, runner or Chromium, and two cores
# shared by all of them at once only make every wait longer.
rm -rf TestResults
status=0
dotnet test Functions.sln --no-build --configuration Release --verbosity quiet -nologo -m:1 \
  --logger "console;verbosity=normal" --results-directory TestResults --logger trx "$@" || status=$?

# One closing line over every test project (from the TRX files dotnet test wrote).
cat TestResults/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); sub(/".*/, "", kv[2]); n[kv[1]] += kv[2] } }
  END { printf "tests: %d passed, %d failed, %d skipped\n", n["passed"], n["failed"] + n["error"] + n["timeout"] + n["aborted"], n["notExecuted"] }'
exit $status
