#!/usr/bin/env bash
# The one way this repo calls pnpm: corepack does not work on these machines, npx does.
exec npx -y pnpm@10.34.0 "$@"
