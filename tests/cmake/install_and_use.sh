#!/usr/bin/env bash
# cnnc installed into a temporary prefix works from there (ctest cmake-install):
#   1. `cmake --install` puts the tools, libraries, headers (ModelInfo.h), the
#      CMake package and the Python package where docs/cmake.md says;
#   2. the installed cnnc runs (its RPATH finds cnnc's and MLIR's libraries);
#   3. examples/cmake-app configures against the installed package
#      (-Dcnnc_DIR), compiles its model at build time with cnnc_add_model,
#      builds and runs; touching the model rebuilds the library;
#   4. examples/fusion-plugin builds against the installed headers and
#      libraries (find_package(Cnnc), the package's older name) and loads
#      into the installed cnnc-opt;
#   5. the installed Python package compiles and runs a model with the
#      installed cnnc.
# Usage: install_and_use.sh SOURCE_DIR BUILD_DIR CMAKE GENERATOR MAKE_PROGRAM
#                           C_COMPILER CXX_COMPILER
set -euo pipefail
src=$1 build=$2 cmake=$3 generator=$4 make_program=$5 cc=$6 cxx=$7
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cnnc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$tmp/install.log"
for file in bin/cnnc bin/cnnc-opt bin/cnnc-run bin/cnnc-import \
    lib/libCNNCDialect.so lib/libCNNCCompiler.so lib/libCNNCSupport.so \
    include/cnnc/Target/CPU/ModelInfo.h include/cnnc/Dialect/CNNOps.h \
    include/cnnc/Dialect/CNNOps.h.inc include/cnnc/Passes/FusionChains.h \
    lib/cmake/cnnc/cnncConfig.cmake lib/cmake/cnnc/cnncConfigVersion.cmake \
    lib/cmake/cnnc/cnncTargets.cmake lib/cmake/cnnc/cnncAddModel.cmake \
    lib/cmake/cnnc/CnncConfig.cmake share/cnnc/python/cnnc/__init__.py \
    share/cnnc/python/pyproject.toml; do
  [ -e "$prefix/$file" ] || fail "the install lacks $file"
done
# Every library target is exported under cnnc::.
for lib in "$build"/lib/libCNNC*.so; do
  name=$(basename "$lib" .so); name=${name#lib}
  grep -q "add_library(cnnc::$name SHARED IMPORTED)" "$prefix/lib/cmake/cnnc/cnncTargets.cmake" \
    || fail "cnncTargets.cmake does not export cnnc::$name"
done
grep -q "add_executable(cnnc::cnnc IMPORTED)" "$prefix/lib/cmake/cnnc/cnncTargets.cmake" \
  || fail "cnncTargets.cmake does not export cnnc::cnnc"

echo "== the installed tools run"
"$prefix/bin/cnnc" --version > /dev/null || fail "the installed cnnc does not run"
"$prefix/bin/cnnc-run" --help > /dev/null || fail "the installed cnnc-run does not run"

echo "== examples/cmake-app against the installed package"
app=$tmp/app
cp -r "$src/examples/cmake-app" "$tmp/app-src"  # so that touching its model is ours
"$cmake" -S "$tmp/app-src" -B "$app" -G "$generator" -DCMAKE_MAKE_PROGRAM="$make_program" \
  -DCMAKE_C_COMPILER="$cc" -Dcnnc_DIR="$prefix/lib/cmake/cnnc" > "$tmp/app-configure.log"
"$cmake" --build "$app" > "$tmp/app-build.log"
grep -q "Compiling the model tiny_classifier.cnn with cnnc" "$tmp/app-build.log" \
  || fail "cnnc_add_model did not compile the model: $(cat "$tmp/app-build.log")"
out=$("$app/classify")
echo "$out"
[[ $out =~ ^class\ [0-9],\ probability\ 0\.[0-9]+,\ probabilities\ sum\ to\ (1\.0000|0\.9999)$ ]] \
  || fail "unexpected output of classify: $out"
# Nothing to do, until the model changes: then the library is compiled again.
"$cmake" --build "$app" > "$tmp/app-nothing.log"
grep -q "no work to do" "$tmp/app-nothing.log" || fail "a second build was not empty"
touch "$tmp/app-src/tiny_classifier.cnn"
"$cmake" --build "$app" > "$tmp/app-rebuild.log"
grep -q "Compiling the model" "$tmp/app-rebuild.log" \
  || fail "touching the model did not recompile it"
grep -q "Linking C executable classify" "$tmp/app-rebuild.log" \
  || fail "touching the model did not relink the program"

echo "== examples/fusion-plugin against the installed package"
"$cmake" -S "$src/examples/fusion-plugin" -B "$tmp/plugin" -G "$generator" \
  -DCMAKE_MAKE_PROGRAM="$make_program" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCnnc_DIR="$prefix/lib/cmake/cnnc" > "$tmp/plugin-configure.log"
"$cmake" --build "$tmp/plugin" > "$tmp/plugin-build.log"
# (Into a file: grep -q on a pipe would end cnnc-opt early, with SIGPIPE.)
"$prefix/bin/cnnc-opt" --load-pass-plugin="$tmp/plugin/libCnncFusionPlugin.so" --help \
  > "$tmp/plugin-help.txt"
grep -q -- "--cnnc-example-fuse-dense-activation" "$tmp/plugin-help.txt" \
  || fail "the plugin built against the install does not load into the installed cnnc-opt"

echo "== the installed Python package with the installed cnnc"
PYTHONPATH="$prefix/share/cnnc/python" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 - \
  "$prefix" "$src/examples/cmake-app/tiny_classifier.cnn" <<'PY'
import sys
import numpy as np
import cnnc
prefix, model_file = sys.argv[1], sys.argv[2]
assert cnnc.__file__.startswith(prefix), cnnc.__file__
m = cnnc.compile(model_file, random_weights=1, cnnc=prefix + "/bin/cnnc")
p = m(np.random.default_rng(0).uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32))
assert p.shape == (1, 10) and abs(float(p.sum()) - 1) < 1e-5, p
print("python: ok", m.name)
PY
echo "PASS"
