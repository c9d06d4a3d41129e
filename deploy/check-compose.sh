#!/bin/sh
# Validates docker-compose.yml with the docker-compose on PATH (Debian's v1 here, or v2's
# `docker compose`): the file must be valid with API_TOKENS set, and must be refused without
# it, so the stack can never start with a guessable token. Exit 0 when both hold.
set -eu
cd "$(dirname "$0")/.."

if command -v docker-compose >/dev/null 2>&1; then
  compose() { docker-compose "$@"; }
elif docker compose version >/dev/null 2>&1; then
  compose() { docker compose "$@"; }
else
  echo "check-compose: neither docker-compose nor docker compose is installed" >&2
  exit 1
fi

dummy="check-compose-dummy-token-0123456789"
for profile in "" demo apply; do
  if [ -n "$profile" ]; then set -- --profile "$profile"; else set --; fi
  API_TOKENS="$dummy" compose -f docker-compose.yml "$@" config -q
  echo "check-compose: valid with API_TOKENS set${profile:+ (profile $profile)}"
done

# the resolved file publishes the API on 127.0.0.1 unless VIGIL_BIND says otherwise
resolved=$(API_TOKENS="$dummy" compose -f docker-compose.yml config)
if ! printf '%s\n' "$resolved" | grep -Eq '127\.0\.0\.1:8080:8080|host_ip: 127\.0\.0\.1'; then
  echo "check-compose: the API port is not bound to 127.0.0.1 by default" >&2
  exit 1
fi
echo "check-compose: API published on 127.0.0.1 by default"

if out=$(unset API_TOKENS; compose -f docker-compose.yml config -q 2>&1); then
  echo "check-compose: the file was accepted without API_TOKENS" >&2
  exit 1
fi
case "$out" in
  *"set API_TOKENS"*) echo "check-compose: refused without API_TOKENS: $out" ;;
  *)
    echo "check-compose: failed without API_TOKENS, but not because of it: $out" >&2
    exit 1
    ;;
esac
