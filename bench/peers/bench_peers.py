#!/usr/bin/python3
"""cnnc against ONNX Runtime and PyTorch, side by side: the driver behind
scripts/bench-peers.sh (run that; it installs what is missing, builds cnnc
and onnxruntime-node, then calls this with --build-dir).

Steps:
 1. The machine's ceilings: compiles bench/peers/peak.c with the system cc
    (an FMA loop of 12 ymm / 24 zmm accumulator chains, a triad loop).
 2. cnnc: compiles each case's .cnn file (bench/layers/, examples/) with
    --random-weights=1 into BUILD/peers/lib/CASE.so and its header, and
    checks the header's input and output shapes against PyTorch's.
    --verify (the default for layers) also compiles each layer with the
    PyTorch module's weights and compares the outputs numerically.
 3. The peers: torch_runner.py exports ONNX (opset 13) and serves frozen,
    optimize_for_inference'd TorchScript; ort_runner.js serves
    onnxruntime-node sessions. Both stay loaded for the whole run.
 4. Rounds: in each round every (case, runner, threads) and the peak and
    bandwidth loops run one short timed batch, in an order shuffled per
    round. A batch is warm-up calls (>= 0.05 s) then timed calls (>= SECONDS
    and >= 5 calls); its value is the median per call. cnnc's batch is
    `cnnc-run --bench N` (one warm-up call, then N calls timed one by one,
    N from the previous batch so that they take SECONDS): its median per
    call, the same statistic as the peers'. (--cnnc-runner bench uses
    cnnc-bench instead, Google Benchmark: 5 repetitions of SECONDS/5 after a
    0.05 s warm-up, the median repetition; a repetition's mean over many
    calls counts the time the process spends descheduled, so on a loaded
    machine it reads higher than a per-call median: on 2026-11-29, L1 0.31
    ms in cnnc-bench against 0.16 ms in cnnc-run.) The peak loop reports its
    median chunk the same way. The result per cell is the median over
    rounds.
 5. Writes the tables into docs/performance.md between
    <!-- bench-peers:begin --> and <!-- bench-peers:end --> and the roofline
    plot docs/images/roofline.png (full runs only, unless --doc).

cnnc's threads: a library that exports the context API (MODEL_context_create,
nm -D) runs one inference on T threads: `cnnc-run --threads T` (and
CNNC_NUM_THREADS=T), or `cnnc-bench --threads=T`; a library without it runs
one thread, and its 2-thread cells read "n/a (1 thread)". (cnnc-bench's
`concurrent` benchmark runs two inferences at once, which is throughput, not
latency: never used here.)
"""

import argparse
import datetime
import json
import os
import random
import re
import shlex
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAYERS = [f"L{i}" for i in range(1, 12)]
MODELS = ["mobilenet_v2", "shufflenet_v2_x1_0", "resnet50", "resnext50_32x4d"]
ALL_CASES = LAYERS + MODELS
CNN_FILES = {**{f"L{i}": f"bench/layers/L{i}.cnn" for i in range(1, 12)},
             **{m: f"examples/{m}.cnn" for m in MODELS}}
RUNNERS = ["cnnc", "ort", "torch"]
RUNNER_NAMES = {"cnnc": "cnnc", "ort": "ONNX Runtime", "torch": "PyTorch"}
CNNC_REPETITIONS = 5
BEGIN, END = "<!-- bench-peers:begin -->", "<!-- bench-peers:end -->"
# MALLOC_MMAP_THRESHOLD_ above 32 MiB is refused by glibc (64-bit), so 32 MiB.
MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": str(16 << 30),
              "MALLOC_MMAP_THRESHOLD_": str(32 << 20)}


def log(message):
    print(f"bench-peers: {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, text=True, **kwargs)


# --- the machine -----------------------------------------------------------

def cpu_description():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                key, value = (s.strip() for s in line.split(":", 1))
                info.setdefault(key, value)
    flags = set(info.get("flags", "").split())
    family, model = int(info.get("cpu family", 0)), int(info.get("model", 0))
    zen = ""
    if info.get("vendor_id") == "AuthenticAMD":
        if family == 0x19:
            zen = "Zen 4" if model in range(0x10, 0x20) or model in range(0x60, 0x80) \
                or model in range(0xa0, 0xb0) else "Zen 3"
        elif family == 0x1a:
            zen = "Zen 5"
        elif family == 0x17:
            zen = "Zen 2" if model >= 0x30 else "Zen/Zen+"
    return {
        "name": info.get("model name", "unknown"),
        "family": family, "model": model, "zen": zen,
        "avx2": "avx2" in flags and "fma" in flags,
        "avx512f": "avx512f" in flags,
        "cpus": os.cpu_count(),
    }


def git_commit():
    commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                 capture_output=True).stdout.strip()
    dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                capture_output=True).stdout.strip()
    return commit + ("-dirty" if dirty else "")


# --- cnnc ------------------------------------------------------------------

def parse_header(path):
    shapes = {"in": [], "out": []}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*\*\s+(in|out)\s+(\w+): \w+\[([0-9x]+)\]", line)
            if m:
                shapes[m.group(1)].append((m.group(2), [int(d) for d in m.group(3).split("x")]))
    return shapes


def newer(target, *sources):
    return os.path.exists(target) and all(
        os.path.getmtime(target) > os.path.getmtime(s) for s in sources)


def compile_cnnc(build, case, out_dir, extra=()):
    cnnc = os.path.join(build, "bin", "cnnc")
    source = os.path.join(ROOT, CNN_FILES[case])
    lib, header = os.path.join(out_dir, case + ".so"), os.path.join(out_dir, case + ".h")
    if extra or not (newer(lib, source, cnnc) and newer(header, source, cnnc)):
        start = time.time()
        run([cnnc, source, *extra, "-o", lib])
        run([cnnc, source, "--emit=header", "-o", header])
        log(f"cnnc: compiled {case} in {time.time() - start:.1f} s")
    return lib, parse_header(header)


def exports_context_api(lib):
    symbols = run(["nm", "-D", "--defined-only", lib], capture_output=True).stdout
    return re.search(r"\b\w+_context_create$", symbols, re.M) is not None


def has_threads_flag(tool):
    """Whether cnnc-run or cnnc-bench takes --threads (its help or usage text
    names it)."""
    if os.path.basename(tool) == "cnnc-run":
        out = subprocess.run([tool, "--help"], capture_output=True, text=True)
        return "--threads" in out.stdout + out.stderr
    with open(tool, "rb") as f:
        return b"--threads" in f.read()


def cnnc_run_batch(tool, lib, threads, seconds, estimate, multithreaded, threads_flag):
    """`cnnc-run --bench N`: the median of N calls timed one by one."""
    env = dict(os.environ, **MALLOC_ENV)
    calls = max(5, min(20000, int(seconds / max(estimate, 1e-3)) + 1))
    cmd = [tool, lib, "--top", "0", "--bench", str(calls)]
    if multithreaded:
        env["CNNC_NUM_THREADS"] = str(threads)
        if threads_flag:
            cmd += ["--threads", str(threads)]
    out = run(cmd, env=env, capture_output=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def cnnc_batch(bench, lib, threads, seconds, multithreaded, threads_flag):
    """`cnnc-bench`: one inference on `threads` threads (`lib/threads:T`),
    not the concurrent inferences."""
    env = dict(os.environ, **MALLOC_ENV)
    count = threads if multithreaded else 1
    cmd = [bench]
    if threads_flag:
        cmd += [f"--threads={count}"]
    cmd += [lib, "--benchmark_min_warmup_time=0.05",
            f"--benchmark_repetitions={CNNC_REPETITIONS}",
            f"--benchmark_min_time={seconds / CNNC_REPETITIONS:.4f}",
            "--benchmark_format=json"]
    for filt in ([f"--benchmark_filter=^[^/]+/threads:{count}/"], []):
        out = subprocess.run(cmd + filt, env=env, text=True, capture_output=True)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {out.stderr.strip()}")
        runs = [b for b in json.loads(out.stdout)["benchmarks"]
                if b.get("run_type", "iteration") == "iteration"]
        one = [b for b in runs if f"/threads:{count}/" in b["name"]
               and "/concurrent/" not in b["name"]] or runs
        if one:
            scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[one[0]["time_unit"]]
            return statistics.median(b["real_time"] * scale for b in one)
    raise RuntimeError(f"{lib}: cnnc-bench reported nothing")


def check_cnnc_outputs(build, lib, out_dir):
    """Runs the random-weights library: its outputs must be finite and hold
    no subnormal values (they would slow everything down). Returns their
    count and a first estimate of the time per call."""
    out = run([os.path.join(build, "bin", "cnnc-run"), lib, "--seed", "1", "--top", "0",
               "--output-dir", out_dir, "--bench", "3"], capture_output=True).stdout
    estimate = float(re.search(r"median ([0-9.]+) ms", out).group(1))
    bad = 0
    for name in os.listdir(out_dir):
        y = np.load(os.path.join(out_dir, name))
        tiny = np.finfo(np.float32).tiny
        bad += int((~np.isfinite(y)).sum() + ((y != 0) & (np.abs(y) < tiny)).sum())
    return bad, estimate


def verify_layer(build, case, work):
    """cnnc with the PyTorch module's weights against PyTorch's output."""
    os.makedirs(work, exist_ok=True)
    run(["/usr/bin/python3", os.path.join(HERE, "torch_runner.py"), "verify", work, case],
        capture_output=True)
    lib, shapes = compile_cnnc(build, case, work,
                               ["--weights", os.path.join(work, case + ".safetensors")])
    outdir = os.path.join(work, case + ".out")
    input_name = shapes["in"][0][0]
    run([os.path.join(build, "bin", "cnnc-run"), lib, "--top", "0",
         "--input", f"{input_name}={os.path.join(work, case + '.input.npy')}",
         "--output-dir", outdir], capture_output=True)
    got = np.load(os.path.join(outdir, shapes["out"][0][0] + ".npy"))
    want = np.load(os.path.join(work, case + ".output.npy"))
    return float(np.linalg.norm(got - want) / np.linalg.norm(want))


# --- the peers -------------------------------------------------------------

class Server:
    """A runner process that answers one JSON line per request."""

    def __init__(self, name, cmd, log_path, env=None):
        self.name = name
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, bufsize=1,
                                     env=dict(os.environ, **MALLOC_ENV, **(env or {})))
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench-peers: the {name} runner failed; see {log_path}")
        self.ready = json.loads(line)

    def batch(self, case, threads, seconds):
        self.proc.stdin.write(json.dumps({"case": case, "threads": threads,
                                          "seconds": seconds, "min_calls": 5}) + "\n")
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench-peers: the {self.name} runner died; see {self.log.name}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["ms"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.log.close()


# --- output ----------------------------------------------------------------

def fmt_ms(value):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:.3f}" if value < 10 else (f"{value:.2f}" if value < 100 else f"{value:.1f}")


def make_tables(res):
    cases, threads = res["cases"], res["threads"]
    med = {k: v[0] for k, v in res["cells"].items()}
    star = {k for k, v in res["cells"].items() if v[1]}
    peak = res["peak"]
    lines = []
    for t in threads:
        p = peak[str(t)]["best"]
        lines += ["", f"**{t} thread{'s' if t > 1 else ''}** (peak {p:.0f} GFLOP/s, "
                  f"{peak[str(t)]['best_isa']}):", "",
                  "| case | MFLOP | cnnc (ms) | ORT (ms) | PyTorch (ms) | cnnc / best peer "
                  "| cnnc % of peak | ORT % of peak | PyTorch % of peak |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for case in cases:
            mflop = res["info"][case]["mflop"]
            cell = {r: med.get(f"{case}/{r}/{t}") for r in RUNNERS}
            if res["cnnc_threads"].get(case) is False and t > 1:
                cell["cnnc"] = "n/a (1 thread)"
            if not res["info"][case]["onnx"]:
                cell["ort"] = "n/a"
            peers = [v for r, v in cell.items() if r != "cnnc" and isinstance(v, float)]
            best = min(peers) if peers else None
            ratio = (f"{cell['cnnc'] / best:.2f}" if isinstance(cell["cnnc"], float) and best
                     else "n/a")

            def pct(v):
                return f"{100 * mflop / v / p:.0f}%" if isinstance(v, float) else "n/a"
            ms = {r: fmt_ms(v) + (" *" if f"{case}/{r}/{t}" in star else "")
                  for r, v in cell.items()}
            lines.append(f"| {case} | {mflop:.2f} | {ms['cnnc']} | "
                         f"{ms['ort']} | {ms['torch']} | {ratio} | "
                         f"{pct(cell['cnnc'])} | {pct(cell['ort'])} | {pct(cell['torch'])} |")
        if "resnet50" in cases and "resnext50_32x4d" in cases:
            parts = []
            for r in RUNNERS:
                a, b = med.get(f"resnext50_32x4d/{r}/{t}"), med.get(f"resnet50/{r}/{t}")
                if isinstance(a, float) and isinstance(b, float):
                    parts.append(f"{RUNNER_NAMES[r]} {a / b:.2f}")
            if parts:
                lines += ["", f"resnext50_32x4d time / the same runner's resnet50 time "
                          f"({t} thread{'s' if t > 1 else ''}): " + ", ".join(parts) + "."]
    return lines


def make_doc(res):
    cpu = res["cpu"]
    loads = res["round_loads"]
    peak_lines = []
    for t in res["threads"]:
        pk = res["peak"][str(t)]
        isas = ", ".join(f"{isa} {pk[isa]:.0f}" for isa in ("avx2", "avx512") if isa in pk)
        peak_lines.append(f"{t} thread{'s' if t > 1 else ''}: {isas} GFLOP/s; "
                          f"triad {pk['triad']:.1f} GB/s")
    flags = ", ".join(f for f in ("avx2", "avx512f") if cpu[f]) or "neither avx2 nor avx512f"
    out = [BEGIN,
           f"Measured {res['date']} at commit {res['commit']} with `{res['command']}` "
           f"({res['rounds']} interleaved round{'s' if res['rounds'] != 1 else ''} of "
           f"{res['seconds']} s batches; "
           f"the script ran {res['runtime_min']:.1f} min).",
           "",
           f"- Machine: {cpu['name']} (family {cpu['family']} model {cpu['model']}"
           f"{', ' + cpu['zen'] if cpu['zen'] else ''}), {cpu['cpus']} CPUs, {flags}; "
           f"load average {res['load'][0]:.1f} before the run, "
           f"{statistics.median(loads):.1f} (median; {min(loads):.1f}-{max(loads):.1f}) "
           "after each round."
           + (" The machine was busy (other work on it; this run itself adds 1-2): the "
              "one-thread figures are medians of calls that ran undisturbed, but two "
              "threads rarely had both cores at once, so the two-thread figures mostly "
              "measure that contention." if statistics.median(loads) > cpu["cpus"] + 1 else ""),
           "- Peak (FMA loop, median of the rounds): " + "; ".join(peak_lines) + ". "
           "% of peak uses the widest ISA's figure for the same number of threads.",
           "- cnnc: " + ("`cnnc-run --bench N`, the median call of each batch"
                         if res["cnnc_runner"] == "run" else
                         "`cnnc-bench`, the median of 5 repetitions per batch")
           + "; the library compiled with `--random-weights=1` (default options).",
           f"- Peers: ONNX Runtime {res['ort_version']} (onnxruntime-node; node's fixed cost "
           f"per call, a one-element ReLU: {1000 * res['trivial_ms']:.1f} µs, included in "
           f"ORT's times), PyTorch {res['torch_version']} (TorchScript frozen + "
           "optimize_for_inference). ratio = cnnc / the faster peer (below 1: cnnc leads).",
           "- Two threads: intraOpNumThreads=2 (ORT), torch.set_num_threads(2) (PyTorch); "
           "each peer also runs a variant whose waiting threads sleep instead of spinning "
           "(allow_spinning=0, OMP_WAIT_POLICY=PASSIVE) in every round, and the faster one "
           "counts: * marks the cells where the sleeping variant won. cnnc: one "
           "context of 2 threads (`cnnc-run --threads 2`).",
           "- Checks: cnnc's headers give PyTorch's output shapes for every case"
           + (f"; with PyTorch's weights the layers match PyTorch (relative L2 error at "
              f"most {res['verify_max']:.1e})" if res.get("verify_max") is not None else "")
           + ("; no subnormal values in PyTorch's activations or cnnc's outputs."
              if not res["warnings"] else "; warnings: " + "; ".join(res["warnings"]) + "."),
           ]
    out += make_tables(res)
    if res.get("plot"):
        out += ["", f"![roofline: GFLOP/s against FLOP per byte, every layer and runner]"
                f"({os.path.relpath(res['plot'], os.path.join(ROOT, 'docs'))})"]
    out.append(END)
    return "\n".join(out)


def write_doc(path, block):
    text = open(path).read() if os.path.exists(path) else "# Performance\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Peers\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


def plot_roofline(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    layers = [c for c in res["cases"] if c in LAYERS]
    threads = res["threads"]
    fig, axes = plt.subplots(1, len(threads), figsize=(6.5 * len(threads), 5.5),
                             squeeze=False)
    styles = {"cnnc": ("o", "tab:red"), "ort": ("s", "tab:blue"), "torch": ("^", "tab:green")}
    for ax, t in zip(axes[0], threads):
        pk = res["peak"][str(t)]
        x = np.logspace(-1.3, 2.7, 200)
        for isa, style in (("avx512", "-"), ("avx2", "--")):
            if isa in pk:
                ax.plot(x, np.minimum(pk[isa], pk["triad"] * x), "k" + style, lw=1,
                        label=f"{isa} FMA peak {pk[isa]:.0f} GFLOP/s")
        ax.plot(x, pk["triad"] * x, ":", color="gray", lw=1,
                label=f"DRAM triad {pk['triad']:.1f} GB/s")
        for r in RUNNERS:
            pts = []
            for case in layers:
                v = res["cells"].get(f"{case}/{r}/{t}", (None,))[0]
                if isinstance(v, float):
                    info = res["info"][case]
                    pts.append((info["mflop"] * 1e6 / info["bytes"], info["mflop"] / v, case))
            if pts:
                marker, color = styles[r]
                ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker=marker,
                           color=color, label=RUNNER_NAMES[r], zorder=3)
                for ai, gf, case in pts:
                    ax.annotate(case, (ai, gf), textcoords="offset points", xytext=(4, 3),
                                fontsize=7, color=color)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(0.1, max(pk.get("avx512", 0), pk["avx2"]) * 2)
        ax.set_xlim(x[0], x[-1])
        ax.set_xlabel("arithmetic intensity (FLOP / minimum byte: inputs + weights + outputs, fp32)")
        ax.set_ylabel("GFLOP/s")
        ax.set_title(f"{t} thread{'s' if t > 1 else ''}"
                     + (" (cnnc: one thread only)" if t > 1 and not any(
                         f"{c}/cnnc/{t}" in res["cells"] for c in layers) else ""))
        ax.grid(True, which="both", lw=0.3, alpha=0.5)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"Layers L1-L11, {res['cpu']['name']} {res['cpu']['zen']}, "
                 f"{res['date']}, cnnc {res['commit']}", fontsize=9)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fig.savefig(path, dpi=110)


# --- main ------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.environ.get("CNNC_BUILD_DIR",
                                                              os.path.join(ROOT, "build")))
    parser.add_argument("--cases", default=",".join(ALL_CASES),
                        help="comma-separated: L1..L11, " + ", ".join(MODELS))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--seconds", type=float, default=0.25,
                        help="timed seconds per batch (default 0.25)")
    parser.add_argument("--doc", choices=["auto", "yes", "no"], default="auto",
                        help="write docs/performance.md and the plot (auto: full runs only)")
    parser.add_argument("--cnnc-runner", choices=["run", "bench"], default="run",
                        help="time cnnc with cnnc-run --bench (per-call median, the "
                        "default) or cnnc-bench (Google Benchmark)")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the numerical check of the layers against PyTorch")
    parser.add_argument("--seed", type=int, default=None, help="seed of the shuffles")
    parser.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    started = time.time()
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in ALL_CASES]
    if unknown:
        parser.error(f"unknown cases {unknown}; known: {ALL_CASES}")
    threads = sorted({int(t) for t in args.threads.split(",")})
    build = os.path.abspath(args.build_dir)
    work = os.path.join(build, "peers")
    libdir, onnxdir = os.path.join(work, "lib"), os.path.join(work, "onnx")
    for d in (libdir, onnxdir):
        os.makedirs(d, exist_ok=True)
    full = set(cases) == set(ALL_CASES) and threads == [1, 2]
    write = args.doc == "yes" or (args.doc == "auto" and full)
    cpu = cpu_description()
    load_before = os.getloadavg()[0]

    # 1. The ceilings.
    peak_bin = os.path.join(work, "peak")
    run(["cc", "-O2", "-pthread", os.path.join(HERE, "peak.c"), "-o", peak_bin])
    isas = ["avx2"] + (["avx512"] if cpu["avx512f"] else [])

    # 2. cnnc.
    tool = os.path.join(build, "bin", "cnnc-run" if args.cnnc_runner == "run" else "cnnc-bench")
    libs, shapes, cnnc_mt = {}, {}, {}
    for case in cases:
        libs[case], shapes[case] = compile_cnnc(build, case, libdir, ["--random-weights=1"])
        cnnc_mt[case] = exports_context_api(libs[case])
    threads_flag = has_threads_flag(tool)
    log("cnnc libraries with the context API: "
        + (", ".join(c for c in cases if cnnc_mt[c]) or "none (2-thread cells: n/a)"))

    # 3. The peers: ONNX export, shapes, FLOPs.
    run(["/usr/bin/python3", os.path.join(HERE, "torch_runner.py"), "prepare", onnxdir, *cases],
        stderr=open(os.path.join(work, "prepare.log"), "w"))
    info = json.load(open(os.path.join(onnxdir, "cases.json")))
    warnings, estimates = [], {}
    for case in cases:
        header_in = [s for _, s in shapes[case]["in"]]
        header_out = [s for _, s in shapes[case]["out"]]
        if header_in != [info[case]["input"]] or header_out != info[case]["outputs"]:
            raise SystemExit(f"bench-peers: {case}: cnnc's shapes {header_in} -> {header_out} "
                             f"differ from PyTorch's {info[case]['input']} -> "
                             f"{info[case]['outputs']}")
        if info[case]["subnormal_values"]:
            warnings.append(f"{case}: {info[case]['subnormal_values']} subnormal "
                            "activations in PyTorch")
        bad, estimates[case] = check_cnnc_outputs(build, libs[case],
                                                  os.path.join(work, "out", case))
        if bad:
            warnings.append(f"{case}: {bad} subnormal or non-finite outputs from cnnc")
    for warning in warnings:
        log("warning: " + warning)
    log("shapes: cnnc's headers agree with PyTorch for " + ", ".join(cases))
    verify_max = None
    if not args.no_verify:
        errors = {c: verify_layer(build, c, os.path.join(work, "verify"))
                  for c in cases if c in LAYERS}
        if errors:
            verify_max = max(errors.values())
            log("verify: relative L2 error cnnc vs PyTorch: "
                + ", ".join(f"{c} {e:.1e}" for c, e in errors.items()))
            if verify_max > 1e-4:
                raise SystemExit("bench-peers: a layer differs from PyTorch")

    log("starting the runners")
    onnx_cases = [c for c in cases if info[c]["onnx"]]
    multi = [t for t in threads if t > 1]

    def start_ort(ts, sleeping):
        return Server("ONNX Runtime", ["node", os.path.join(HERE, "ort_runner.js"),
                                       os.path.join(work, "node"), onnxdir,
                                       ",".join(map(str, ts)), *onnx_cases],
                      os.path.join(work, f"ort{'-sleep' if sleeping else ''}.log"),
                      {"ORT_RUNNER_SPINNING": "0"} if sleeping else None)

    def start_torch(sleeping):
        return Server("PyTorch", ["/usr/bin/python3", os.path.join(HERE, "torch_runner.py"),
                                  "serve", *cases],
                      os.path.join(work, f"torch{'-sleep' if sleeping else ''}.log"),
                      {"OMP_WAIT_POLICY": "PASSIVE"} if sleeping else None)

    servers = {"ort": start_ort(threads, False), "torch": start_torch(False)}
    if multi:
        servers["ort-sleep"] = start_ort(multi, True)
        servers["torch-sleep"] = start_torch(True)
    ort, torch = servers["ort"], servers["torch"]
    log(f"ONNX Runtime {ort.ready['version']} (node fixed cost "
        f"{1000 * ort.ready['trivial_ms']:.1f} us per call), PyTorch {torch.ready['torch']}")

    # 4. Rounds.
    items = []
    for t in threads:
        items += [("peak", isa, t) for isa in isas] + [("triad", "", t)]
        for case in cases:
            if t == 1 or cnnc_mt[case]:
                items.append((case, "cnnc", t))
            for variant in (["", "-sleep"] if t > 1 else [""]):
                if info[case]["onnx"]:
                    items.append((case, "ort" + variant, t))
                items.append((case, "torch" + variant, t))
    rng = random.Random(args.seed)
    samples, loads = {}, []
    for r in range(args.rounds):
        order = items[:]
        rng.shuffle(order)
        t0 = time.time()
        for case, runner, t in order:
            if case == "peak":
                out = run([peak_bin, "fma", runner, str(t), "0.2"], capture_output=True).stdout
                value = float(out.split("gflops=")[1])
            elif case == "triad":
                out = run([peak_bin, "triad", str(t), "0.3"], capture_output=True).stdout
                value = float(out.split("gbs=")[1])
            elif runner == "cnnc" and args.cnnc_runner == "run":
                value = cnnc_run_batch(tool, libs[case], t, args.seconds,
                                       estimates[case], cnnc_mt[case], threads_flag)
                estimates[case] = value
            elif runner == "cnnc":
                value = cnnc_batch(tool, libs[case], t, args.seconds, cnnc_mt[case], threads_flag)
            else:
                value = servers[runner].batch(case, t, args.seconds)
            samples.setdefault(f"{case}/{runner}/{t}", []).append(value)
        loads.append(os.getloadavg()[0])
        log(f"round {r + 1}/{args.rounds}: {time.time() - t0:.0f} s, load average "
            f"{loads[-1]:.1f}")
    for server in servers.values():
        server.close()

    medians = {k: statistics.median(v) for k, v in samples.items()}
    # A peer's cell: the faster of its default (spinning) threads and the
    # variant whose waiting threads sleep (2+ threads only); starred when the
    # sleeping variant won.
    cells = {}
    for key, value in medians.items():
        case, runner, t = key.split("/")
        base = runner.replace("-sleep", "")
        if base in RUNNERS:
            old = cells.get(f"{case}/{base}/{t}")
            if old is None or value < old[0]:
                cells[f"{case}/{base}/{t}"] = (value, runner.endswith("-sleep"))
    peak = {}
    for t in threads:
        pk = {isa: medians[f"peak/{isa}/{t}"] for isa in isas}
        pk["triad"] = medians[f"triad//{t}"]
        pk["best_isa"] = max(isas, key=lambda i: pk[i])
        pk["best"] = pk[pk["best_isa"]]
        peak[str(t)] = pk
    res = {
        "date": datetime.date.today().isoformat(),
        "commit": git_commit(),
        "command": args.command or "bench/peers/bench_peers.py " + shlex.join(sys.argv[1:]),
        "rounds": args.rounds, "seconds": args.seconds, "cnnc_runner": args.cnnc_runner,
        "cpu": cpu, "cases": cases, "threads": threads,
        "info": {c: info[c] for c in cases},
        "cnnc_threads": cnnc_mt,
        "medians": medians, "cells": cells, "samples": samples, "peak": peak,
        "trivial_ms": ort.ready["trivial_ms"], "ort_version": ort.ready["version"],
        "torch_version": torch.ready["torch"],
        "verify_max": verify_max, "warnings": warnings,
        "load": (load_before, os.getloadavg()[0]),
        "round_loads": loads,
        "runtime_min": (time.time() - started) / 60,
    }
    if write:
        res["plot"] = os.path.join(ROOT, "docs", "images", "roofline.png")
        plot_roofline(res, res["plot"])
    else:
        plot_roofline(res, os.path.join(work, "roofline.png"))
    res["runtime_min"] = (time.time() - started) / 60
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    block = make_doc(res)
    print(block)
    if write:
        write_doc(os.path.join(ROOT, "docs", "performance.md"), block)
        log("wrote docs/performance.md and docs/images/roofline.png")
    else:
        log(f"not a full run: the doc is left alone (--doc yes writes it); plot in "
            f"{os.path.join(work, 'roofline.png')}, results in {os.path.join(work, 'results.json')}")


if __name__ == "__main__":
    main()
