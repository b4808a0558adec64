// ONNX Runtime side of scripts/bench-peers.sh (Node.js, npm onnxruntime-node).
//
//   node ort_runner.js NODE_DIR ONNX_DIR THREADS CASE...
//
// NODE_DIR holds node_modules/onnxruntime-node (the script installs it there
// with ONNXRUNTIME_NODE_INSTALL=skip). One session per case and thread count
// (intraOpNumThreads = T, interOpNumThreads = 1, graphOptimizationLevel
// 'all', executionMode 'sequential', CPU execution provider), for every T of
// the comma-separated THREADS (ORT_RUNNER_SPINNING=0 in the environment:
// with session.intra_op.allow_spinning = 0). It first times ONNX_DIR/trivial.onnx (a ReLU
// of one element) to report node's fixed cost per call, prints
// {"ready": true, "trivial_ms": ...}, then reads one JSON request per line,
// {"case": C, "threads": T, "seconds": S, "min_calls": N}: warm-up calls (at
// least 2 and 0.05 s), then timed calls (process.hrtime.bigint around
// `await session.run`) until S seconds and N calls; answers
// {"ms": median ms per call, "calls": n}.
'use strict';
const path = require('path');
const readline = require('readline');

const [nodeDir, onnxDir, threadList, ...cases] = process.argv.slice(2);
const ort = require(path.join(path.resolve(nodeDir), 'node_modules', 'onnxruntime-node'));

function randomInput(session, dims) {
  // Uniform in [-1, 1) from a fixed-seed LCG: the same for every run.
  let state = 12345;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; ++i) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    data[i] = (state / 4294967296) * 2 - 1;
  }
  return { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
}

// ORT_RUNNER_SPINNING=0: pool threads sleep instead of spinning while they
// wait for work (session.intra_op.allow_spinning = 0).
const spinning = process.env.ORT_RUNNER_SPINNING !== '0';

async function open(file, threads) {
  const options = {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  };
  if (!spinning)
    options.extra = { session: { intra_op: { allow_spinning: '0' } } };
  return ort.InferenceSession.create(file, options);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeBatch(entry, seconds, minCalls) {
  const { session, feeds } = entry;
  const warmStart = process.hrtime.bigint();
  for (let calls = 0; calls < 2 || process.hrtime.bigint() - warmStart < 50000000n; ++calls)
    await session.run(feeds);
  const times = [];
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (times.length < minCalls || process.hrtime.bigint() - start < budget) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: median(times), calls: times.length };
}

async function main() {
  const info = require(path.join(path.resolve(onnxDir), 'cases.json'));
  const sessions = {};
  const threads = threadList.split(',').map(Number);
  for (const name of cases) {
    for (const t of threads) {
      const session = await open(path.join(onnxDir, name + '.onnx'), t);
      sessions[`${name}/${t}`] = { session, feeds: randomInput(session, info[name].input) };
    }
  }
  const trivial = await open(path.join(onnxDir, 'trivial.onnx'), 1);
  const trivialMs = (await timeBatch({ session: trivial, feeds: randomInput(trivial, [1]) },
                                     0.5, 1000)).ms;
  process.stdout.write(JSON.stringify({ ready: true, trivial_ms: trivialMs,
                                        version: require(path.join(path.resolve(nodeDir),
                                          'node_modules', 'onnxruntime-node',
                                          'package.json')).version }) + '\n');
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const request = JSON.parse(line);
    const entry = sessions[`${request.case}/${request.threads}`];
    if (!entry) {
      process.stdout.write(JSON.stringify({ error: `no session ${request.case}/${request.threads}` }) + '\n');
      continue;
    }
    const result = await timeBatch(entry, Number(request.seconds), Number(request.min_calls || 5));
    process.stdout.write(JSON.stringify(result) + '\n');
  }
}

main().catch((error) => {
  process.stderr.write(`ort_runner: ${error.stack || error}\n`);
  process.exit(1);
});
