//===- LayerName.h - the layer an op belongs to -----------------*- C++ -*-===//
//
// The .cnn frontend names each op's line after its layer, the dotted path
// its parameters are named by (`features.3.conv.1.0`), with a NameLoc in
// the op's location. What reads IR for people (the fusion report, the
// model's picture) shows that name.
//
//===----------------------------------------------------------------------===//

#ifndef CNNC_DIALECT_LAYERNAME_H
#define CNNC_DIALECT_LAYERNAME_H

#include "mlir/IR/Location.h"

#include <string>

namespace cnnc::cnn {

/// The first name of a NameLoc in `loc` (a batch norm folded into its
/// convolution fuses their locations, the convolution's first); empty when
/// there is none, as in IR that no frontend named.
std::string getLayerName(mlir::Location loc);

} // namespace cnnc::cnn

#endif // CNNC_DIALECT_LAYERNAME_H
