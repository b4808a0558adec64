//===- GuardedSchemas.cpp - ONNX schemas whose inference checks first -----===//

#include "GuardedSchemas.h"

#include <onnx/defs/shape_inference.h>

#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace cnnc::onnx_import {
namespace {

/// Gemm before opset 7 reads dimension 1 of A and B (and indexes by
/// transA/transB) without checking that they are matrices: a null
/// dereference for a vector or a scalar, whether the file declares it so
/// or ONNX inferred it.
void checkGemmMatrices(onnx::InferenceContext &ctx) {
  static const char *const names[] = {"A", "B"};
  for (size_t i = 0; i < 2 && i < ctx.getNumInputs(); ++i) {
    if (!onnx::hasInputShape(ctx, i))
      continue;
    int rank = ctx.getInputType(i)->tensor_type().shape().dim_size();
    if (rank != 2)
      fail_shape_inference("input ", names[i], " has rank ", rank,
                           "; Gemm multiplies matrices (rank 2)");
  }
}

struct Guard {
  const char *op;
  int beforeVersion; // Guards the schemas of versions below this one.
  void (*check)(onnx::InferenceContext &);
};

const Guard guards[] = {
    {"Gemm", 7, checkGemmMatrices},
};

class GuardedRegistry final : public onnx::ISchemaRegistry {
public:
  const onnx::OpSchema *GetSchema(const std::string &key,
                                  const int maxInclusiveVersion,
                                  const std::string &domain) const override {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Instance()->GetSchema(key, maxInclusiveVersion,
                                                      domain);
    if (!schema || !domain.empty())
      return schema;
    for (const Guard &guard : guards)
      if (key == guard.op && schema->SinceVersion() < guard.beforeVersion)
        return guarded(schema, guard);
    return schema;
  }

private:
  /// A copy of `schema` (made once) whose inference runs the guard first.
  const onnx::OpSchema *guarded(const onnx::OpSchema *schema,
                                const Guard &guard) const {
    std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<onnx::OpSchema> &copy = copies[schema];
    if (!copy) {
      copy = std::make_unique<onnx::OpSchema>(*schema);
      onnx::InferenceFunction infer =
          schema->GetTypeAndShapeInferenceFunction();
      auto check = guard.check;
      copy->TypeAndShapeInferenceFunction(
          [infer, check](onnx::InferenceContext &ctx) {
            check(ctx);
            if (infer)
              infer(ctx);
          });
    }
    return copy.get();
  }

  mutable std::mutex mutex;
  mutable std::map<const onnx::OpSchema *, std::unique_ptr<onnx::OpSchema>>
      copies;
};

} // namespace

const onnx::ISchemaRegistry &guardedSchemaRegistry() {
  static const GuardedRegistry registry;
  return registry;
}

} // namespace cnnc::onnx_import
