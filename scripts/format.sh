#!/usr/bin/env bash
# Formats every Swift file in place, then lints strictly (CI runs only the lint).
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.swift' | xargs -0 swift format format --parallel --in-place
git ls-files -z '*.swift' | xargs -0 swift format lint --strict --parallel
