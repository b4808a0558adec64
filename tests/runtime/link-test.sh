#!/usr/bin/env bash
# Builds two "models" (model.c) the way cnnc will build generated libraries:
# model bitcode + the embedded runtime, linked and internalized by
# cnnc-runtime-link, then ld.lld -shared with libc alone. Checks that each
# library needs libc only and exports no runtime symbol, runs both in one
# process (two_models), and checks the aarch64 object's references.
# Usage: link-test.sh CLANG LINK_TOOL LLD READELF NM TWO_MODELS RUNTIME_DIR OUT
set -euo pipefail
clang=$1 link=$2 lld=$3 readelf=$4 nm=$5 two_models=$6 runtime=$7 out=$8
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
for model in a b; do
  "$clang" -target x86_64-linux-gnu -O2 -fPIC -fno-stack-protector -nostdinc \
    -I"$runtime" -DMODEL=$model -emit-llvm -c "$here/model.c" -o $model.bc
  "$link" $model.bc $model.o
  "$lld" -shared --as-needed -o lib$model.so $model.o \
    -L/usr/lib/x86_64-linux-gnu -L/lib/x86_64-linux-gnu -lm -lc
  needed=$("$readelf" -d lib$model.so | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  echo "lib$model.so needs: $needed"
  if [ "$needed" != "libc.so.6 " ]; then
    echo "lib$model.so must need libc.so.6 alone"
    exit 1
  fi
  if "$readelf" --dyn-syms -W lib$model.so | grep -q cnnc_rt_; then
    echo "lib$model.so exports runtime symbols"
    exit 1
  fi
  echo "lib$model.so imports:" $("$nm" -D --undefined-only --format=just-symbols lib$model.so)
done
"$two_models" ./liba.so ./libb.so

# aarch64: no libc to link against here; the object's references must be
# libc's (the runtime's and the model's malloc) and nothing else.
"$clang" -target aarch64-linux-gnu -O2 -fPIC -fno-stack-protector -nostdinc \
  -I"$runtime" -DMODEL=a -emit-llvm -c "$here/model.c" -o a64.bc
"$link" a64.bc a64.o
undefined=$("$nm" --undefined-only --format=just-symbols a64.o | tr '\n' ' ')
echo "aarch64 object references: $undefined"
for symbol in $undefined; do
  case $symbol in
  aligned_alloc | clock_gettime | free | getpid | malloc | pthread_create | \
    pthread_join | sched_getaffinity | sched_yield | syscall) ;;
  *)
    echo "unexpected aarch64 reference: $symbol"
    exit 1
    ;;
  esac
done
echo "link test: ok"
