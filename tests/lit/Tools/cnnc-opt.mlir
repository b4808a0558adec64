// cnnc-opt's help shows the cnn dialect's passes with their summaries, and
// bad flags or files give a message and a non-zero exit.
// RUN: cnnc-opt --help | FileCheck %s --check-prefix=HELP
// RUN: cnnc-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS
// RUN: not cnnc-opt --no-such-flag %s 2>&1 | FileCheck %s --check-prefix=FLAG
// RUN: not cnnc-opt %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=FILE
// RUN: not cnnc-opt %s --pass-pipeline='builtin.module(no-such-pass)' 2>&1 | FileCheck %s --check-prefix=PASS

// HELP: --cnn-print-stats {{ *}}- Print op counts, convolution variants and MACs of each function
// HELP: --cnnc-lower-loops-to-llvm {{ *}}- Lower bufferized loop nests
// HELP: --load-dialect-plugin
// HELP: --load-pass-plugin
// HELP: --mlir-print-ir-after-all
// DIALECTS: cnn
// DIALECTS: linalg
// FLAG: Unknown command line argument '--no-such-flag'
// FILE: cnnc-opt: error: cannot read '{{.*}}does-not-exist.mlir': No such file or directory
// PASS: 'no-such-pass' does not refer to a registered pass or pass pipeline
func.func @empty() {
  return
}
