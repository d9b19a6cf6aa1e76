#!/bin/sh
# `giftbot` inside the Docker image (installed as /usr/local/bin/giftbot), so that
#   docker compose exec giftbot giftbot members list <guildId>
#   docker compose exec giftbot giftbot deploy-commands --guild <serverId>
# work without knowing where the sources are. The image's node is Node 24: no launcher is needed here.
set -e
app="${GIFTBOT_HOME:-/app}"
if [ "$1" = "deploy-commands" ]; then
  shift
  exec node "$app/scripts/deployCommands.ts" "$@"
fi
exec node "$app/src/cli/bin.ts" "$@"
