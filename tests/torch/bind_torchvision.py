#!/usr/bin/python3
"""Compiles each torchvision example with a checkpoint exported from torchvision
and checks that every key of the checkpoint bound and every shape matched.

Usage: bind_torchvision.py CNNC EXAMPLES_DIR EXPORT_WEIGHTS_PY

For each model: tools/export_weights.py writes its state_dict (random
initialization, randomized batch-norm statistics) as safetensors; cnnc binds
it with --weights. cnnc fails on a missing key or a wrong shape or dtype and
warns about keys nothing used, so success here is: exit 0, nothing on
stderr, and one bound cnn.weight per non-buffer key of the state_dict.
"""
import os
import re
import subprocess
import sys
import tempfile

MODELS = ["resnet50", "mobilenet_v2", "shufflenet_v2_x1_0", "googlenet",
          "densenet121", "resnext50_32x4d", "mobilenet_v3_small",
          "efficientnet_b0", "regnet_y_400mf"]


def main():
    cnnc, examples, export = sys.argv[1:4]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for model in MODELS:
            weights = os.path.join(tmp, model + ".safetensors")
            subprocess.run(["/usr/bin/python3", export, model, weights, "--seed", "3",
                            "--randomize-batchnorm"], check=True)
            keys = subprocess.run(["/usr/bin/python3", export, model, "--list"],
                                  check=True, capture_output=True, text=True).stdout
            tensors = [line.split()[0] for line in keys.splitlines() if line.strip()]
            # num_batches_tracked binds but is not an inference parameter.
            expected = [t for t in tensors if not t.endswith("num_batches_tracked")]
            ir_path = os.path.join(tmp, model + ".mlir")
            result = subprocess.run(
                [cnnc, os.path.join(examples, model + ".cnn"), "--weights", weights,
                 "--mlir-elide-resource-strings-if-larger=1", "-o", ir_path],
                capture_output=True, text=True)
            with open(ir_path, encoding="utf-8") as f:
                ir = f.read() if result.returncode == 0 else ""
            bound = re.findall(r'cnn\.weight "([^"]+)" = dense_resource<', ir)
            ok = (result.returncode == 0 and not result.stderr
                  and sorted(bound) == sorted(expected))
            print(f"{model}: {len(tensors)} checkpoint tensors, {len(bound)} bound "
                  f"parameters: {'ok' if ok else 'FAILED'}")
            if not ok:
                failures += 1
                sys.stdout.write(result.stderr)
                missing = sorted(set(expected) - set(bound))
                print(f"  exit {result.returncode}; not bound: {missing[:10]}")
    print(f"{len(MODELS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
