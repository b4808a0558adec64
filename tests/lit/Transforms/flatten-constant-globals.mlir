// cnn-flatten-constant-globals: constant globals of rank >= 2 hold their data
// as one 1-D array (dense or resource blob alike); each use reads it through
// an expand_shape view of the original shape. Others are left alone.
// RUN: cnnc-opt %s --cnn-flatten-constant-globals | FileCheck %s

// CHECK-DAG: memref.global "private" constant @filter : memref<24xf32> = dense<[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00, 9.000000e+00, 1.000000e+01, 1.100000e+01, 1.200000e+01, 1.300000e+01, 1.400000e+01, 1.500000e+01, 1.600000e+01, 1.700000e+01, 1.800000e+01, 1.900000e+01, 2.000000e+01, 2.100000e+01, 2.200000e+01, 2.300000e+01]> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @blob : memref<6xf32> = dense_resource<blob_data> {alignment = 64 : i64}
// CHECK-DAG: memref.global "private" constant @bias : memref<4xf32> = dense<1.000000e+00>
// CHECK-DAG: memref.global "private" @mutable : memref<2x2xf32> = dense<0.000000e+00>
memref.global "private" constant @filter : memref<2x3x2x2xf32> = dense<[[[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.0]], [[8.0, 9.0], [10.0, 11.0]]], [[[12.0, 13.0], [14.0, 15.0]], [[16.0, 17.0], [18.0, 19.0]], [[20.0, 21.0], [22.0, 23.0]]]]> {alignment = 64 : i64}
memref.global "private" constant @blob : memref<2x3xf32> = dense_resource<blob_data> {alignment = 64 : i64}
memref.global "private" constant @bias : memref<4xf32> = dense<1.0>
memref.global "private" @mutable : memref<2x2xf32> = dense<0.0>

// CHECK-LABEL: func @uses
// CHECK: %[[FLAT:.*]] = memref.get_global @filter : memref<24xf32>
// CHECK-NEXT: %[[FILTER:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0, 1, 2, 3]] output_shape [2, 3, 2, 2] : memref<24xf32> into memref<2x3x2x2xf32>
// CHECK: %[[FLAT_BLOB:.*]] = memref.get_global @blob : memref<6xf32>
// CHECK-NEXT: %[[BLOB:.*]] = memref.expand_shape %[[FLAT_BLOB]] {{\[}}[0, 1]] output_shape [2, 3] : memref<6xf32> into memref<2x3xf32>
// CHECK: %[[BIAS:.*]] = memref.get_global @bias : memref<4xf32>
// CHECK: %[[MUTABLE:.*]] = memref.get_global @mutable : memref<2x2xf32>
// CHECK: return %[[FILTER]], %[[BLOB]], %[[BIAS]], %[[MUTABLE]]
func.func @uses() -> (memref<2x3x2x2xf32>, memref<2x3xf32>, memref<4xf32>, memref<2x2xf32>) {
  %f = memref.get_global @filter : memref<2x3x2x2xf32>
  %b = memref.get_global @blob : memref<2x3xf32>
  %c = memref.get_global @bias : memref<4xf32>
  %m = memref.get_global @mutable : memref<2x2xf32>
  return %f, %b, %c, %m : memref<2x3x2x2xf32>, memref<2x3xf32>, memref<4xf32>, memref<2x2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob_data: "0x04000000000080BF0000004000004040000080400000A0400000C040"
    }
  }
#-}
