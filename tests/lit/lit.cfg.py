# lit configuration of cnnc's IR tests.
import os
import shutil
import sys

import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".cnn", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "tests", "lit")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])]
)
config.substitutions.append(("%test_plugin", config.test_plugin))
config.substitutions.append(("%fusion_plugin", config.fusion_plugin))
config.substitutions.append(("%cnnc_src_root", config.cnnc_src_root))
config.substitutions.append(("%cnnc_obj_root", config.cnnc_obj_root))
# Configuring a CMake project against cnnc's package, with cnnc's toolchain.
config.substitutions.append(
    ("%cmake_configure",
     f'"{config.cmake}" -G "{config.cmake_generator}" '
     f'-DCMAKE_MAKE_PROGRAM="{config.make_program}" '
     f'-DCMAKE_CXX_COMPILER="{config.cxx_compiler}"'))
config.substitutions.append(("%cmake", f'"{config.cmake}"'))
# Test programs built with a sanitizer: cnnc's own C++ compiler (clang).
config.substitutions.append(("%cxx", f'"{config.cxx_compiler}"'))
# Programs in C that use generated headers and link generated libraries.
config.substitutions.append(("%cc", f'"{config.c_compiler}"'))
config.substitutions.append(("%python", sys.executable))
# Graphviz's dot, which cnnc --emit=svg runs (scripts/install-deps.sh
# installs it).
if shutil.which("dot"):
    config.available_features.add("graphviz")
# Cross-compiling for aarch64 and running the result under qemu
# (scripts/install-deps.sh installs qemu-user, the cross libc and gcc).
if (shutil.which("qemu-aarch64") and shutil.which("aarch64-linux-gnu-gcc")
        and os.path.exists("/usr/aarch64-linux-gnu/lib/libc.so")):
    config.available_features.add("aarch64-cross")
# cnnc's tools built with AddressSanitizer (-DCNNC_SANITIZE=address,...,
# scripts/test.sh's build-asan/): valgrind cannot run them.
if "address" in getattr(config, "cnnc_sanitize", "").split(","):
    config.available_features.add("asan")
# An x86-64 machine without AVX512-FP16, for code compiled with it
# (tests/lit/Tools/cpu-features-unsupported.test).
if os.uname().machine == "x86_64" and os.path.exists("/proc/cpuinfo"):
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split() for line in cpuinfo if line.startswith("flags")), [])
    if flags and "avx512_fp16" not in flags:
        config.available_features.add("x86-without-avx512fp16")
