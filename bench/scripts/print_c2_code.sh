#!/usr/bin/env bash
# Prints the machine code C2 compiles for the methods named, while a jtune command runs: how a kernel's loop came out
# (whether it is a counted loop with its range checks hoisted, how many scalar instructions ride along with the vector
# ones). Builds a disassembler plugin for HotSpot from bench/scripts/hsdis/hsdis-opcodes.c once (needs gcc and
# Debian's binutils-dev: `apt-get install -y gcc binutils-dev`).
# Usage: bench/scripts/print_c2_code.sh 'CLASS::METHOD[,CLASS::METHOD...]' JTUNE ARGS...
# Example: bench/scripts/print_c2_code.sh 'dev.jtune.core.kernels.simd.SimdMatvec::eightRows' \
#            bench generate --batch 1 --runs 1 > /tmp/eightRows.txt
# Each method is printed once per compilation; the last "Compiled method (c2)" that is not an OSR one (no "%") is the
# code that runs in the steady state.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $# -ge 2 ]] || { sed -n 2,10p "$0"; exit 2; }
methods=$1
shift
plugin_dir=bench/target/hsdis
if [[ ! -f $plugin_dir/hsdis-amd64.so || bench/scripts/hsdis/hsdis-opcodes.c -nt $plugin_dir/hsdis-amd64.so ]]; then
  mkdir -p "$plugin_dir"
  gcc -O2 -shared -fPIC -o "$plugin_dir/hsdis-amd64.so" bench/scripts/hsdis/hsdis-opcodes.c -lopcodes -lbfd ||
    { echo "print_c2_code.sh: building the plugin needs gcc and binutils-dev (apt-get install -y gcc binutils-dev)" >&2
      exit 1; }
fi
print=""
for m in ${methods//,/ }; do print+=" -XX:CompileCommand=print,$m"; done
LD_LIBRARY_PATH="$PWD/$plugin_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  JTUNE_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet$print ${JTUNE_JAVA_OPTS:-}" ./jtune "$@"
