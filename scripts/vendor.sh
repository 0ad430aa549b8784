#!/usr/bin/env bash
# Refreshes the browser libraries under web/static/vendor from the npm registry (package.json).
# The copies are committed, so neither `make run` nor `make test` needs the network for them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json "$work/"
(cd "$work" && npm install --ignore-scripts --no-audit --no-fund --silent)
lib="$work/node_modules"
mkdir -p web/static/vendor/swagger-ui
cp "$lib/swagger-ui-dist/"{swagger-ui-bundle.js,swagger-ui.css,LICENSE} web/static/vendor/swagger-ui/
mkdir -p web/static/vendor/echarts
cp "$lib/echarts/dist/echarts.min.js" "$lib/echarts/LICENSE" web/static/vendor/echarts/
mkdir -p web/static/vendor/leaflet/images
cp "$lib/leaflet/dist/"{leaflet.js,leaflet.css} "$lib/leaflet/LICENSE" web/static/vendor/leaflet/
cp "$lib/leaflet/dist/images/"*.png web/static/vendor/leaflet/images/
echo "vendored: $(cd "$lib" && ls | tr '\n' ' ')"
