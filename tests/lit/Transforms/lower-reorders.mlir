// cnn-lower-reorders: tensor.pack / tensor.unpack between NCHW and the
// blocked layout become generics marked cnnc.reorder, which bufferize (and
// which cnn-vectorize-blocked-convolutions turns into transposes).
// RUN: cnnc-opt %s --cnn-lower-reorders | FileCheck %s

// CHECK-DAG: #[[$READ:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 8, d2, d3, d1 mod 8)>

// CHECK-LABEL: func @pack
// A pack reads its source element by element; channels past the 12 real
// ones read channel 11 and yield zero.
// CHECK: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} outs(%{{.*}} : tensor<1x2x3x5x8xf32>)
// CHECK-SAME: cnnc.reorder = #cnnc.reorder<to_blocked>
// CHECK: %[[B:.*]] = linalg.index 1 : index
// CHECK: %[[C:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK: %[[VALID:.*]] = arith.cmpi ult, %[[C]], %c12 : index
// CHECK: %[[CLAMPED:.*]] = arith.minui %[[C]], %c11 : index
// CHECK: %[[V:.*]] = tensor.extract %arg0[%{{.*}}, %[[CLAMPED]], %{{.*}}, %{{.*}}] : tensor<1x12x3x5xf32>
// CHECK: arith.select %[[VALID]], %[[V]], %{{.*}} : f32
// CHECK-NOT: tensor.pack
func.func @pack(%x: tensor<1x12x3x5xf32>) -> tensor<1x2x3x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x3x5x8xf32>
  %p = tensor.pack %x padding_value(%zero : f32) inner_dims_pos = [1] inner_tiles = [8] into %e : tensor<1x12x3x5xf32> -> tensor<1x2x3x5x8xf32>
  return %p : tensor<1x2x3x5x8xf32>
}

// CHECK-LABEL: func @unpack
// CHECK: linalg.generic {indexing_maps = [#[[$READ]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<1x2x3x5x8xf32>) outs(%{{.*}} : tensor<1x12x3x5xf32>)
// CHECK-SAME: cnnc.reorder = #cnnc.reorder<from_blocked>
// CHECK-NOT: tensor.unpack
func.func @unpack(%x: tensor<1x2x3x5x8xf32>) -> tensor<1x12x3x5xf32> {
  %e = tensor.empty() : tensor<1x12x3x5xf32>
  %u = tensor.unpack %x inner_dims_pos = [1] inner_tiles = [8] into %e : tensor<1x2x3x5x8xf32> -> tensor<1x12x3x5xf32>
  return %u : tensor<1x12x3x5xf32>
}
