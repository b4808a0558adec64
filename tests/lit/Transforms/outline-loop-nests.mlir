// cnn-outline-loop-nests: each top-level loop nest of a public function
// becomes a private, non-inlined function called in its place; the views
// and constants it uses are rebuilt inside, so it takes the parent's own
// buffers (in the order the nest first uses them) and the byte offsets of
// its views. Ops without regions stay in the parent, with what they use;
// the rest of the views and constants go. Nests that differ only in the
// offsets share one function.
// RUN: cnnc-opt %s --cnn-outline-loop-nests | FileCheck %s

// CHECK-LABEL: func.func @model(
// CHECK-SAME: %[[IN:.*]]: memref<4xf32>, %[[OUT:.*]]: memref<4xf32>, %[[ARENA:.*]]: memref<64xi8>)
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: %[[T:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<64xi8> to memref<4xf32>
// CHECK-NEXT: %[[U:.*]] = memref.view %[[ARENA]][%[[C16]]][] : memref<64xi8> to memref<4xf32>
// CHECK-NEXT: call @model_nest0(%[[IN]], %[[ARENA]], %[[C0]]) : (memref<4xf32>, memref<64xi8>, index) -> ()
// CHECK-NEXT: memref.copy %[[T]], %[[U]]
// CHECK-NEXT: call @model_nest1(%[[ARENA]], %[[OUT]], %[[C16]]) : (memref<64xi8>, memref<4xf32>, index) -> ()
// CHECK-NEXT: return

// The offset 0 is both the view's (an argument) and the loop's lower bound
// (a constant again inside).
// CHECK: func.func private @model_nest0(%[[A0:.*]]: memref<4xf32>, %[[A1:.*]]: memref<64xi8>, %[[A2:.*]]: index) attributes {passthrough = ["noinline"]}
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[T:.*]] = memref.view %[[A1]][%[[A2]]][] : memref<64xi8> to memref<4xf32>
// CHECK: scf.for %{{.*}} = %[[C0]]
// CHECK: memref.load %[[A0]]
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: return

// CHECK: func.func private @model_nest1(%[[B0:.*]]: memref<64xi8>, %[[B1:.*]]: memref<4xf32>, %[[B2:.*]]: index) attributes {passthrough = ["noinline"]}
// CHECK: memref.view %[[B0]][%[[B2]]]
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

// Two nests that do the same at different offsets of the arena run one
// function; a third that reads other weights (a global it names itself)
// has its own.
memref.global "private" constant @w1 : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
memref.global "private" constant @w2 : memref<4xf32> = dense<[5.0, 6.0, 7.0, 8.0]>

// CHECK-LABEL: func.func @layers(
// CHECK-SAME: %[[ARENA:.*]]: memref<64xi8>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: call @layers_nest0(%[[ARENA]], %[[C0]]) : (memref<64xi8>, index) -> ()
// CHECK-NEXT: call @layers_nest0(%[[ARENA]], %[[C16]]) : (memref<64xi8>, index) -> ()
// CHECK-NEXT: call @layers_nest2(%[[ARENA]], %[[C32]]) : (memref<64xi8>, index) -> ()
// CHECK-NEXT: return

// CHECK: func.func private @layers_nest0(%[[A:.*]]: memref<64xi8>, %[[OFFSET:.*]]: index)
// CHECK-DAG: memref.get_global @w1
// CHECK-DAG: memref.view %[[A]][%[[OFFSET]]]
// CHECK-NOT: func.func private @layers_nest1(
// CHECK: func.func private @layers_nest2(
// CHECK: memref.get_global @w2
func.func @layers(%arena: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %w1 = memref.get_global @w1 : memref<4xf32>
  %w2 = memref.get_global @w2 : memref<4xf32>
  %a = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
  %b = memref.view %arena[%c16][] : memref<64xi8> to memref<4xf32>
  %c = memref.view %arena[%c32][] : memref<64xi8> to memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %w1[%i] : memref<4xf32>
    %x = memref.load %a[%i] : memref<4xf32>
    %y = arith.addf %v, %x : f32
    memref.store %y, %a[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %w1[%i] : memref<4xf32>
    %x = memref.load %b[%i] : memref<4xf32>
    %y = arith.addf %v, %x : f32
    memref.store %y, %b[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %w2[%i] : memref<4xf32>
    %x = memref.load %c[%i] : memref<4xf32>
    %y = arith.addf %v, %x : f32
    memref.store %y, %c[%i] : memref<4xf32>
  }
  return
}

// An op's properties count: the predicates differ, so do the functions.
// CHECK-LABEL: func.func @predicates(
// CHECK: call @predicates_nest0(
// CHECK-NEXT: call @predicates_nest1(
// CHECK-NEXT: call @predicates_nest0(
// CHECK: func.func private @predicates_nest0(
// CHECK: arith.cmpi slt
// CHECK: func.func private @predicates_nest1(
// CHECK: arith.cmpi sgt
// CHECK-NOT: func.func private @predicates_nest2(
func.func @predicates(%arena: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = memref.view %arena[%c0][] : memref<64xi8> to memref<8xi1>
  scf.for %i = %c0 to %c2 step %c1 {
    %p = arith.cmpi slt, %i, %c1 : index
    memref.store %p, %a[%i] : memref<8xi1>
  }
  scf.for %i = %c0 to %c2 step %c1 {
    %p = arith.cmpi sgt, %i, %c1 : index
    memref.store %p, %a[%i] : memref<8xi1>
  }
  scf.for %i = %c0 to %c2 step %c1 {
    %p = arith.cmpi slt, %i, %c1 : index
    memref.store %p, %a[%i] : memref<8xi1>
  }
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
