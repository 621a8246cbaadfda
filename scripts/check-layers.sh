#!/usr/bin/env bash
# check-layers.sh — fails on a package cycle or an import pointing up the layers (issue 11);
# the layer map and the rules are in CheckLayers.java. CI runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec java "$ROOT/scripts/CheckLayers.java" "$ROOT"
