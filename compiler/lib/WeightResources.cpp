//===- WeightResources.cpp - freeing weights a compilation is done with ---===//

#include "WeightResources.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

cnnc::ResourceSet cnnc::resourcesOf(ModuleOp module) {
  ResourceSet resources;
  module->walk([&](Operation *op) {
    // The dictionary holds the inherent attributes (properties) too.
    op->getAttrDictionary().walk([&](DenseResourceElementsAttr attr) {
      if (DialectResourceBlobManager::BlobEntry *entry =
              attr.getRawHandle().getResource())
        resources.insert(entry);
    });
  });
  return resources;
}

void cnnc::releaseResources(const ResourceSet &resources,
                            const ResourceSet &keep) {
  for (DialectResourceBlobManager::BlobEntry *entry : resources)
    if (!keep.contains(entry) && entry->getBlob())
      entry->setBlob(AsmResourceBlob()); // Runs the old blob's deleter.
}
