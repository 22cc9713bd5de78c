#!/usr/bin/env bash
# The run command (README): Azurite + HaiPay sandbox + local runner, wired together. Ctrl-C stops everything.
# Ports (override with environment variables): API 7071, sandbox 5180, Azurite 10000-10002.
set -euo pipefail
cd "$(dirname "$0")/.."

API_PORT=${API_PORT:-7071}
SANDBOX_PORT=${SANDBOX_PORT:-5180}
BLOB_PORT=${BLOB_PORT:-10000}
QUEUE_PORT=${QUEUE_PORT:-10001}
TABLE_PORT=${TABLE_PORT:-10002}

if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dotnet build src/Collect.LocalRunner --configuration Release --verbosity quiet -nologo
dotnet build src/HaiPay.Sandbox --configuration Release --verbosity quiet -nologo

mkdir -p .data/azurite
settings=.data/haipay.settings.json
rm -f "$settings"
pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  # Reverse start order: the runner first (it still needs Azurite to release its leases), Azurite last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

node_modules/.bin/azurite --silent --skipApiVersionCheck --loose --disableTelemetry \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" --location .data/azurite &
pids+=($!)

storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

dotnet src/HaiPay.Sandbox/bin/Release/net10.0/HaiPay.Sandbox.dll \
  --urls "http://127.0.0.1:$SANDBOX_PORT" --Sandbox:PublicBaseUrl "http://127.0.0.1:$SANDBOX_PORT" \
  --write-settings "$settings" &
pids+=($!)

for _ in $(seq 1 100); do [ -s "$settings" ] && break; sleep 0.2; done
[ -s "$settings" ] || { echo "The sandbox did not write $settings" >&2; exit 1; }

dotnet src/Collect.LocalRunner/bin/Release/net10.0/Collect.LocalRunner.dll \
  --urls "http://127.0.0.1:$API_PORT" --SettingsFile "$settings" \
  --AzureWebJobsStorage "$storage" --OrderStorage "$storage" \
  --Collect:NotifyUrl "http://127.0.0.1:$API_PORT/api/haipay/notify" &
pids+=($!)

for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$API_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

cat <<INFO

  Orders API     http://127.0.0.1:$API_PORT/api/orders            (POST create, GET /api/orders/{orderId})
  HaiPay notify  http://127.0.0.1:$API_PORT/api/haipay/notify
  Operations     http://127.0.0.1:$API_PORT/ops                   (console; API under /api/ops/..., this machine only)
  HaiPay sandbox http://127.0.0.1:$SANDBOX_PORT                   (control API: /_sandbox/..., see docs/sandbox.md)
  Storefront     http://127.0.0.1:$SANDBOX_PORT/_storefront       (the signed order events it received, verified)
  Azurite        blob $BLOB_PORT, queue $QUEUE_PORT, table $TABLE_PORT (data in .data/azurite; task hub for DfMon: collectlocal)

  Try it: ./scripts/demo.sh        Stop: Ctrl-C

INFO
wait -n "${pids[@]}"
