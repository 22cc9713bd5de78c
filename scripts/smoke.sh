#!/usr/bin/env bash
# Post-deploy probe of a deployed Collect app; creates nothing anywhere (no order here, nothing at HaiPay).
#   ./scripts/smoke.sh https://<app>.azurewebsites.net
# Passes when:
#   1. GET /api/health answers 200 "Healthy" (the orders table and every configured currency's keys, so Key Vault and
#      the identity's roles, were reached), retried while a new deployment warms up and role assignments propagate;
#   2. POST /api/orders without a function key is refused with 401 (the orders API is not open to the internet);
#   3. GET /api/ops/orders without signing in is refused with 401 or 404 (never served anonymously).
# SMOKE_ATTEMPTS (default 30) and SMOKE_INTERVAL (seconds, default 10) bound the health wait.
set -euo pipefail
base=${1:?usage: smoke.sh <base-url>}
base=${base%/}
attempts=${SMOKE_ATTEMPTS:-30}
interval=${SMOKE_INTERVAL:-10}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
# curl prints 000 as the status when nothing answered.

status=000
for attempt in $(seq 1 "$attempts"); do
  status=$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 15 "$base/api/health" || true)
  if [ "$status" = 200 ] && grep -q '"status": *"Healthy"' "$body"; then
    echo "smoke: health 200 Healthy (attempt $attempt): $(head -c 400 "$body")"
    break
  fi
  echo "smoke: health $status (attempt $attempt/$attempts): $(head -c 400 "$body" 2>/dev/null)"
  status=000
  if [ "$attempt" -lt "$attempts" ]; then sleep "$interval"; fi
done
[ "$status" = 200 ] || fail "GET /api/health never answered 200 Healthy"

status=$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 15 \
  --request POST --header 'Content-Type: application/json' --data '{}' "$base/api/orders" || true)
[ "$status" = 401 ] || fail "POST /api/orders without a function key answered $status, not 401"
echo "smoke: create without a key refused (401)"

status=$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 15 "$base/api/ops/orders" || true)
case "$status" in
  401 | 404) echo "smoke: operations API without sign-in refused ($status)" ;;
  *) fail "GET /api/ops/orders without sign-in answered $status, not 401 or 404" ;;
esac
echo "smoke: passed"
