#!/usr/bin/env bash
# Signs a Whop webhook body the way Whop does (Standard Webhooks, HMAC-SHA256 keyed by the UTF-8 bytes of the
# whole ws_ secret) and POSTs it to Sluice.
#
#   scripts/send-sample-webhook.sh [body.json]        default: scripts/samples/membership-activated.json
#
# Environment: SLUICE_URL (default http://localhost:8080), WHOP_WEBHOOK_SECRET (default: the generated
# ./data/whop-webhook-secret), WEBHOOK_ID (default: a new msg_ id; reuse one to see a duplicate).
# In the body, __WEBHOOK_ID__ is replaced by the webhook id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
body_file=${1:-$here/samples/membership-activated.json}
url=${SLUICE_URL:-http://localhost:8080}/webhooks/whop
secret=${WHOP_WEBHOOK_SECRET:-}
if [ -z "$secret" ]; then
  secret_file=${SLUICE_DATA_DIR:-./data}/whop-webhook-secret
  [ -r "$secret_file" ] || { echo "No WHOP_WEBHOOK_SECRET and no $secret_file: start Sluice once first" >&2; exit 1; }
  secret=$(head -n1 "$secret_file")
fi
secret=${secret%%,*}   # with several secrets (rotation), sign with the first
id=${WEBHOOK_ID:-msg_$(openssl rand -hex 12)}
ts=$(date +%s)
signed=$(mktemp)
trap 'rm -f "$signed"' EXIT
sed "s/__WEBHOOK_ID__/$id/g" "$body_file" > "$signed"
sig=$( { printf '%s.%s.' "$id" "$ts"; cat "$signed"; } | openssl dgst -sha256 -hmac "$secret" -binary | base64 | tr -d '\n')
echo "POST $url  webhook-id: $id" >&2
curl -sS -w '\nHTTP %{http_code}\n' -X POST "$url" \
  -H 'content-type: application/json' \
  -H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" \
  --data-binary @"$signed"
