#!/usr/bin/env bash
# Fails, listing the files, when a tracked C++ file differs from what the
# committed .clang-format makes of it. Usage: check-format.sh [clang-format]
set -euo pipefail
clang_format=${1:-clang-format-19}
cd "$(dirname "$0")/.."
# The tracked sources in a checkout; every source outside build trees in an
# exported tree without git.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
else
  mapfile -t files < <(find . -path './build*' -prune -o \
    \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) -print | sort)
fi
bad=()
for file in "${files[@]}"; do
  if ! "$clang_format" --dry-run --Werror "$file" >/dev/null 2>&1; then
    bad+=("$file")
  fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "Not formatted with .clang-format (run: $clang_format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"
