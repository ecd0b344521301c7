#!/usr/bin/env bash
# Two commits' jtune-core side by side in one JVM (./jtune bench gpt2-ab): their GPT-2 forwards (or forward+backward)
# alternate round by round, so both see the same moments of a shared machine, and the median per-round ratio shows a
# few-percent change that back-to-back runs (15-25% apart on this VM) cannot.
# Usage: bench/scripts/ab_commits.sh OLD NEW [gpt2-ab options: --config 124m|16m|tweet --mode forward|step --pairs N]
#   OLD, NEW: commits (NEW may be "work" for the working tree as it is). The rest of the stack (nn, train, the
#   libraries) is the working tree's; only core differs, so the commits must agree on core's API that nn uses.
# Example: bench/scripts/ab_commits.sh HEAD~1 HEAD --pairs 30;  HEAD HEAD shows the noise floor.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $# -ge 2 ]] || { sed -n 2,8p "$0"; exit 2; }
old=$1 new=$2
shift 2
dir=$(mktemp -d)
trap 'git worktree remove --force "$dir/tree" 2>/dev/null || true; rm -rf "$dir"' EXIT
# The core jar of commit $1 (or of the working tree for "work") at $2, built by that tree's own launcher.
core_jar() {
  local tree=.
  if [[ $1 != work ]]; then
    tree=$dir/tree
    git worktree remove --force "$tree" 2>/dev/null || true
    git worktree add -q --detach "$tree" "$1"
  fi
  (cd "$tree" && ./jtune info >/dev/null)
  find "$tree/core/target" -maxdepth 1 -name 'jtune-core-*.jar' ! -name '*-tests.jar' -exec cp {} "$2" \;
  [[ -s $2 ]] || { echo "ab_commits.sh: no core jar was built for $1" >&2; exit 1; }
}
core_jar "$old" "$dir/old.jar"
core_jar "$new" "$dir/new.jar"
echo "A = $old, B = $new"
./jtune bench gpt2-ab --core "$dir/old.jar" --core "$dir/new.jar" "$@"
