//===- CNNDialect.cpp - the cnn dialect -----------------------------------===//

#include "cnnc/Dialect/CNNDialect.h"
#include "cnnc/Dialect/CNNOps.h"

using namespace mlir;
using namespace cnnc::cnn;

#include "cnnc/Dialect/CNNOpsDialect.cpp.inc"

void CNNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cnnc/Dialect/CNNOps.cpp.inc"
      >();
}
