#!/usr/bin/env bash
# Refits model/answerability.json from the training stories: writes their
# scoring features (with and without facts, each story alone and all in one
# index) and runs the fitting script.
# The same binary and stories give the same file, byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/dossier"
# A story below its thresholds exits 1; the features are written all the same.
"$bin" eval tests/stories/train --features "$work/facts.jsonl" >/dev/null || true
"$bin" eval tests/stories/train --articles-only --features "$work/articles.jsonl" >/dev/null || true
"$bin" eval tests/stories/train --together --features "$work/together-facts.jsonl" >/dev/null
"$bin" eval tests/stories/train --together --articles-only --features "$work/together-articles.jsonl" >/dev/null
python3 scripts/fit_answerability.py "$work/facts.jsonl" "$work/articles.jsonl" \
    --together "$work/together-facts.jsonl" "$work/together-articles.jsonl"
