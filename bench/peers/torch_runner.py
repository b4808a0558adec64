#!/usr/bin/python3
"""PyTorch side of scripts/bench-peers.sh (Debian's /usr/bin/python3,
python3-torch 1.13).

  torch_runner.py prepare DIR CASE...   writes DIR/cases.json (shapes, FLOPs,
                                        minimum bytes, subnormal counts) and
                                        DIR/CASE.onnx (torch.onnx.export,
                                        opset 13) for each case ONNX can
                                        express, plus DIR/trivial.onnx
  torch_runner.py verify DIR CASE       writes DIR/CASE.safetensors (the
                                        state_dict), DIR/CASE.input.npy and
                                        DIR/CASE.output.npy (PyTorch's result)
  torch_runner.py serve CASE...         timing server (below)

serve: every case is scripted (traced where scripting fails), frozen
(torch.jit.freeze) and passed through torch.jit.optimize_for_inference,
which routes convolutions to oneDNN (Debian's torch otherwise multiplies
with the reference BLAS). Then it prints {"ready": true, "torch": version}
and reads one JSON request
per line, {"case": C, "threads": T, "seconds": S, "min_calls": N}: it sets
torch.set_num_threads(T), runs warm-up calls (at least 2 and 0.05 s), then
timed calls until S seconds and N calls, and answers {"ms": median ms per
call, "calls": n}. Run it with MALLOC_TRIM_THRESHOLD_ / MALLOC_MMAP_THRESHOLD_
set high (the script does), or glibc returns PyTorch's freed tensors to the
kernel after every op and small layers pay page faults on every call.
"""

import json
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import layers  # noqa: E402


def prepare(out_dir, names):
    os.makedirs(out_dir, exist_ok=True)
    info = {}
    for name in names:
        module = layers.build(name)
        x = layers.example_input(name)
        with torch.no_grad():
            y = module(x)
        counted = layers.count_flops(module, x)
        mflop = layers.CASES[name][3]
        if mflop is None:
            mflop = counted / 1e6
        parameters = sum(p.numel() for p in module.parameters())
        subnormal, values = layers.count_subnormals(module, x)
        onnx_ok = layers.CASES[name][4]
        if onnx_ok:
            torch.onnx.export(module, (x,), os.path.join(out_dir, name + ".onnx"),
                              opset_version=13, do_constant_folding=True,
                              input_names=["x"], output_names=["y"])
        info[name] = {
            "input": list(x.shape),
            "outputs": [list(y.shape)],
            "mflop": mflop,
            "mflop_counted": counted / 1e6,
            # The minimum traffic in fp32: input, weights and output once.
            "bytes": 4 * (x.numel() + parameters + y.numel()),
            "subnormal_values": subnormal,
            "checked_values": values,
            "onnx": onnx_ok,
        }
        print(f"torch_runner: {name}: {mflop:.2f} MFLOP, output "
              f"{list(y.shape)}, {subnormal} subnormal of {values} values",
              file=sys.stderr)

    # One element through a ReLU: ONNX Runtime's fixed cost per call from node.
    class Trivial(torch.nn.Module):
        def forward(self, x):
            return torch.relu(x)

    torch.onnx.export(Trivial(), (torch.ones(1),), os.path.join(out_dir, "trivial.onnx"),
                      opset_version=13, input_names=["x"], output_names=["y"])
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(info, f, indent=1)


def verify(out_dir, name):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "tools"))
    import export_weights  # the repository's safetensors writer

    module = layers.build(name)
    x = layers.example_input(name)
    with torch.no_grad():
        y = module(x)
    state = {k: v for k, v in module.state_dict().items()}
    with open(os.path.join(out_dir, name + ".safetensors"), "wb") as f:
        f.write(export_weights.safetensors_bytes(state, {"case": name}))
    np.save(os.path.join(out_dir, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out_dir, name + ".output.npy"), y.numpy())


def compile_case(name):
    module = layers.build(name)
    x = layers.example_input(name)
    with torch.no_grad():
        try:
            jit = torch.jit.script(module)
            how = "script"
        except Exception as error:  # noqa: BLE001
            print(f"torch_runner: {name}: scripting failed ({error}); tracing",
                  file=sys.stderr)
            jit = torch.jit.trace(module, (x,))
            how = "trace"
        jit = torch.jit.optimize_for_inference(torch.jit.freeze(jit.eval()))
        reference = module(x)
        result = jit(x)
        error = float((result - reference).norm() / reference.norm())
    if not error < 1e-4:
        raise SystemExit(f"torch_runner: {name}: the optimized module differs from "
                         f"the eager one (relative L2 error {error:.2e})")
    return jit, x, how


def serve(names):
    cases = {}
    for name in names:
        cases[name] = compile_case(name)
        print(f"torch_runner: {name}: {cases[name][2]}, frozen, "
              "optimize_for_inference", file=sys.stderr)
    print(json.dumps({"ready": True, "torch": torch.__version__,
                      "mkldnn": torch.backends.mkldnn.is_available()}), flush=True)
    torch.set_grad_enabled(False)
    for line in sys.stdin:
        request = json.loads(line)
        module, x, _ = cases[request["case"]]
        torch.set_num_threads(int(request["threads"]))
        start = time.perf_counter()
        calls = 0
        while calls < 2 or time.perf_counter() - start < 0.05:
            module(x)
            calls += 1
        times = []
        start = time.perf_counter_ns()
        seconds = float(request["seconds"])
        min_calls = int(request.get("min_calls", 5))
        while len(times) < min_calls or (time.perf_counter_ns() - start) < seconds * 1e9:
            t0 = time.perf_counter_ns()
            module(x)
            times.append(time.perf_counter_ns() - t0)
        print(json.dumps({"ms": statistics.median(times) / 1e6, "calls": len(times)}),
              flush=True)


def main(argv):
    if len(argv) >= 3 and argv[1] == "prepare":
        prepare(argv[2], argv[3:])
    elif len(argv) == 4 and argv[1] == "verify":
        verify(argv[2], argv[3])
    elif len(argv) >= 3 and argv[1] == "serve":
        serve(argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
