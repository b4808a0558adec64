#!/usr/bin/env bash
# Checks the runtime's bitcode files: each defines only cnnc_rt_* symbols
# (hidden) and references nothing but the libc functions it is meant to, so
# that a generated library still needs libc alone; on aarch64, no outline
# atomics helpers (libgcc). Usage: check-bitcode.sh LLVM_NM LLVM_DIS FILE.bc...
set -euo pipefail
nm=$1 dis=$2
shift 2
allowed="aligned_alloc clock_gettime free getpid pthread_create pthread_join
sched_getaffinity sched_yield syscall"
status=0
for bc in "$@"; do
  undefined=$("$nm" --undefined-only --format=just-symbols "$bc" | sort)
  defined=$("$nm" --defined-only --extern-only --format=just-symbols "$bc")
  for symbol in $undefined; do
    if ! grep -qw -- "$symbol" <<<"$allowed"; then
      echo "$bc: unexpected external reference: $symbol"
      status=1
    fi
  done
  for symbol in $defined; do
    if [[ $symbol != cnnc_rt_* ]]; then
      echo "$bc: defines a symbol without the cnnc_rt_ prefix: $symbol"
      status=1
    fi
  done
  ir=$("$dis" "$bc" -o -)
  if grep -E '^define (dso_local )?(noundef |noalias )*[a-z0-9]+ @cnnc_rt_' <<<"$ir" |
      grep -vq ' hidden '; then
    echo "$bc: a cnnc_rt_ function is not hidden"
    status=1
  fi
  if grep -qE '__aarch64_|__atomic_|__sync_|thread_local|__tls_get_addr' <<<"$ir"; then
    echo "$bc: references an atomics helper or thread-local storage"
    status=1
  fi
  if grep -q '"PIE Level"' <<<"$ir"; then
    echo "$bc: compiled as PIE (needs -fPIC for shared libraries)"
    status=1
  fi
  echo "$bc: references" $undefined
done
exit $status
