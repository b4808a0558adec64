// cnn-lower-parallel-loops: every function with a body takes the thread
// pool last (marked cnnc.pool where public) and passes it on; a parallel
// loop with enough work becomes a runtime call with a task over a range of
// its iterations, what the body uses from outside in a context array.
// RUN: cnnc-opt %s --split-input-file --cnn-lower-parallel-loops | FileCheck %s
// RUN: cnnc-opt %s --split-input-file --cnn-lower-parallel-loops="min-parallel-work=1000000" | FileCheck %s --check-prefix=SERIAL

// The model passes its pool to the nest; the nest's 2x64 loop (a view of
// the arena, an index from outside) runs on the pool: the arena and the
// index go through the context, the view is rebuilt in the task, whose
// positions start at `begin` and step with a carry into the outer one.
// CHECK: func.func private @cnnc_rt_parallel_for(!llvm.ptr, (!llvm.ptr, i64, i64, i32) -> (), !llvm.ptr, i64, i64) -> i32
// CHECK-LABEL: func.func @model(
// CHECK-SAME: %{{.*}}: memref<4096xi8>, %{{.*}}: index, %[[POOL:.*]]: !llvm.ptr {cnnc.pool})
// CHECK: call @nest(%{{.*}}, %{{.*}}, %[[POOL]])
// CHECK-LABEL: func.func private @nest(
// CHECK-SAME: %[[ARENA:.*]]: memref<4096xi8>, %[[OFFSET:.*]]: index, %[[NESTPOOL:.*]]: !llvm.ptr)
// CHECK: %[[CONTEXT:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %[[ARENA]]
// CHECK: llvm.store
// CHECK: arith.index_cast %[[OFFSET]] : index to i64
// CHECK: llvm.store
// CHECK: llvm.store %[[NESTPOOL]]
// CHECK: %[[TASK:.*]] = constant @nest_task0
// CHECK: call @cnnc_rt_parallel_for(%[[NESTPOOL]], %[[TASK]], %[[CONTEXT]], %{{.*}}, %{{.*}}) : (!llvm.ptr, (!llvm.ptr, i64, i64, i32) -> (), !llvm.ptr, i64, i64) -> i32
// CHECK-NOT: scf.parallel
// CHECK-LABEL: func.func private @nest_task0(
// CHECK-SAME: %[[C:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64, %{{.*}}: i32)
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4096xi8>
// CHECK: memref.view
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.remui %{{.*}}, %c64
// CHECK: arith.divui %{{.*}}, %c64
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ROW:.*]] = %{{.*}}, %[[COLUMN:.*]] = %{{.*}}) -> (index, index)
// CHECK: arith.cmpi eq, %{{.*}}, %c64
// CHECK: arith.select
// CHECK: scf.yield
// SERIAL-LABEL: func.func private @nest(
// SERIAL: scf.parallel
// SERIAL-NOT: cnnc_rt_parallel_for
func.func @model(%arena: memref<4096xi8>, %offset: index) {
  call @nest(%arena, %offset) : (memref<4096xi8>, index) -> ()
  return
}
func.func private @nest(%arena: memref<4096xi8>, %offset: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %view = memref.view %arena[%c0][] : memref<4096xi8> to memref<2x64x8xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c64) step (%c1, %c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %l = arith.remui %k, %c2 : index
      %m = arith.addi %l, %offset : index
      %v = memref.load %view[%i, %j, %m] : memref<2x64x8xf32>
      %w = arith.mulf %v, %v : f32
      %x = arith.addf %w, %v : f32
      %y = arith.addf %x, %w : f32
      memref.store %y, %view[%i, %j, %m] : memref<2x64x8xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Too little work (8 iterations of a few ops) stays an scf.parallel, which
// the lowering runs serially; so does a loop whose bounds are not constant.
// CHECK-LABEL: func.func @small(
// CHECK: scf.parallel
// CHECK-NOT: cnnc_rt_parallel_for
// CHECK-LABEL: func.func @dynamic(
// CHECK: scf.parallel
// CHECK-NOT: cnnc_rt_parallel_for
func.func @small(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %x[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<8xf32>
    scf.reduce
  }
  return
}
func.func @dynamic(%x: memref<100000xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<100000xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<100000xf32>
    scf.reduce
  }
  return
}
