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

# The reliability suite (its own program: faults, kill -9, floods, fuzz; prints its figures). Skipped when the
# caller narrows the run with extra arguments, or with COLLECT_RELIABILITY=0.
reliability_passed=0 reliability_failed=0
if [ $# -eq 0 ] && [ "${COLLECT_RELIABILITY:-1}" != 0 ]; then
  dotnet tests/Collect.Reliability/bin/Release/net10.0/Collect.Reliability.dll | tee TestResults/reliability.log || status=1
  summary=$(grep -o 'reliability: [0-9]* checks passed, [0-9]* failed' TestResults/reliability.log | tail -1)
  if [ -n "$summary" ]; then
    reliability_passed=$(echo "$summary" | awk '{print $2}')
    reliability_failed=$(echo "$summary" | awk '{print $5}')
  else
    reliability_failed=1
  fi
fi

# The failed tests by name (from the TRX files), so the end of a long log says which ones.
failed_names=$(cat TestResults/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' | grep -o 'testName="[^"]*"' | sed 's/^testName="//; s/"$//' || true)
if [ -n "$failed_names" ]; then
  echo "failed tests:"
  echo "$failed_names" | sed 's/^/  /'
fi

# One closing line over every test project (from the TRX files dotnet test wrote) and the reliability checks.
cat TestResults/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' | awk -v rp="$reliability_passed" -v rf="$reliability_failed" '
  { for (i = 1; i <= NF; i++) { split($i, kv, "=\""); sub(/".*/, "", kv[2]); n[kv[1]] += kv[2] } }
  END { printf "tests: %d passed, %d failed, %d skipped\n", n["passed"] + rp, n["failed"] + n["error"] + n["timeout"] + n["aborted"] + rf, n["notExecuted"] }'
exit $status
