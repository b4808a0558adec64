// cnn-outline-loop-nests: each top-level loop nest of a public function
// becomes a private, non-inlined function called in its place; the views
// and constants it uses are rebuilt inside, so it takes the parent's own
// buffers. Ops without regions stay in the parent, with what they use; the
// rest of the views and constants go.
// RUN: cnnc-opt %s --cnn-outline-loop-nests | FileCheck %s

// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>, %[[ARENA:.*]]: memref<64xi8>)
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: %[[T:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<64xi8> to memref<4xf32>
// CHECK-NEXT: %[[U:.*]] = memref.view %[[ARENA]][%[[C16]]][] : memref<64xi8> to memref<4xf32>
// CHECK-NEXT: call @model_nest0(%[[IN]], %[[ARENA]]) : (memref<4xf32>, memref<64xi8>) -> ()
// CHECK-NEXT: memref.copy %[[T]], %[[U]]
// CHECK-NEXT: call @model_nest1(%[[OUT]], %[[ARENA]]) : (memref<4xf32>, memref<64xi8>) -> ()
// CHECK-NEXT: return

// CHECK: func.func private @model_nest0(%[[A0:.*]]: memref<4xf32>, %[[A1:.*]]: memref<64xi8>) attributes {passthrough = ["noinline"]}
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[T:.*]] = memref.view %[[A1]][%[[C0]]][] : memref<64xi8> to memref<4xf32>
// CHECK: scf.for
// CHECK: memref.load %[[A0]]
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: return

// CHECK: func.func private @model_nest1(%[[B0:.*]]: memref<4xf32>, %[[B1:.*]]: memref<64xi8>) attributes {passthrough = ["noinline"]}
// CHECK: memref.view %[[B1]]
// CHECK: linalg.copy
// CHECK: return
func.func @model(%in: memref<4xf32>, %out: memref<4xf32>, %arena: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %t = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
  %u = memref.view %arena[%c16][] : memref<64xi8> to memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %in[%i] : memref<4xf32>
    memref.store %v, %t[%i] : memref<4xf32>
  }
  memref.copy %t, %u : memref<4xf32> to memref<4xf32>
  linalg.copy ins(%u : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// Private functions (already outlined) are left alone.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: call
// CHECK: scf.for
func.func private @helper(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %x[%i] : memref<4xf32>
    memref.store %v, %x[%i] : memref<4xf32>
  }
  return
}
