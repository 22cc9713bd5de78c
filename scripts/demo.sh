#!/usr/bin/env bash
# Demo (needs ./scripts/run.sh running): creates an order, prints its payUrl, and follows it to a final status.
set -euo pipefail
API=${API:-http://127.0.0.1:7071}
ORDER_ID=${1:-demo-$(date +%s)}

body=$(cat <<JSON
{
  "orderId": "$ORDER_ID", "currency": "HKD", "amount": "128.50",
  "payType": "EWALLET", "inBankCode": "ALIPAY_HKD",
  "name": "Chan Tai Man", "phone": "91234567", "email": "tai.man@example.com", "partnerUserId": "user-1001",
  "callBackUrl": "https://shop.example.com/paid", "callBackFailUrl": "https://shop.example.com/failed",
  "subject": "Demo order"
}
JSON
)
echo "POST $API/api/orders"
curl -sS -X POST "$API/api/orders" -H 'content-type: application/json' -d "$body" | tee /tmp/demo-order.json
echo
pay_url=$(sed -n 's/.*"payUrl":"\([^"]*\)".*/\1/p' /tmp/demo-order.json)
echo
echo "Open this page, press Pay:  $pay_url"
echo "Following $API/api/orders/$ORDER_ID ..."
last=""
while true; do
  view=$(curl -sS "$API/api/orders/$ORDER_ID")
  status=$(sed -n 's/.*"status":"\([^"]*\)".*/\1/p' <<<"$view")
  if [ "$status" != "$last" ]; then echo "$(date +%T) $status"; last=$status; fi
  case "$status" in Succeeded|Failed|Rejected|Expired|NeedsReview) echo "$view"; break ;; esac
  sleep 2
done
