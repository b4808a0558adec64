#!/usr/bin/python3
"""Exports a torchvision model's randomly initialized weights as safetensors.

Usage: /usr/bin/python3 export_weights.py MODEL OUT.safetensors
           [--seed N] [--randomize-batchnorm] [--list]
       /usr/bin/python3 export_weights.py MODEL --list [--seed N] [...]

Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision); the
safetensors package is not needed. MODEL is a torchvision classification model
(resnet50, mobilenet_v2, shufflenet_v2_x1_0, googlenet, densenet121, ...; an
unknown name lists them). Nothing is downloaded: the model is built with
weights=None and initialized from torch's generator seeded with --seed.

--randomize-batchnorm draws every batch norm's weight and bias at random,
measures its running mean and variance on random images (as training would),
then moves them off by a random amount: a compiler that folds batch norm into
convolutions is tested on more than the identity that a fresh model holds
(mean 0, variance 1, weight 1, bias 0), and the model's output still depends
on its input.

The model is put in eval mode and its whole state_dict (every key, including
num_batches_tracked as I64 scalars) is written as safetensors
(https://github.com/huggingface/safetensors): an 8-byte little-endian header
length, a JSON header with sorted keys, padded with spaces to a multiple of 8
bytes, then each tensor's little-endian contiguous data, in key order, with no
gaps. The header's "__metadata__" records the model, seed and options.

--list prints each key, dtype and shape (with OUT, after writing it).

Exits 2 on a bad command line or an unknown model, 1 if OUT cannot be written.
"""

import argparse
import json
import os
import sys
import tempfile

import torch
import torchvision

# torch dtype -> (safetensors dtype, bytes per element).
DTYPES = {
    torch.float64: ("F64", 8),
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2),
    torch.int64: ("I64", 8),
    torch.int32: ("I32", 4),
    torch.int16: ("I16", 2),
    torch.int8: ("I8", 1),
    torch.uint8: ("U8", 1),
    torch.bool: ("BOOL", 1),
}

# Extra constructor arguments: no auxiliary classifiers (eval mode does not
# use them), and the initialization the models had before torchvision made it
# optional (which also silences its warning).
MODEL_KWARGS = {
    "googlenet": {"aux_logits": False, "init_weights": True},
    "inception_v3": {"aux_logits": False, "init_weights": True},
}


def classification_models():
    return sorted(torchvision.models.list_models(module=torchvision.models))


def build_model(name, seed, randomize_batchnorm):
    torch.manual_seed(seed)
    model = torchvision.models.get_model(
        name, weights=None, **MODEL_KWARGS.get(name, {}))
    if randomize_batchnorm:
        # A generator of its own: the values do not depend on how many random
        # numbers the model's initialization drew.
        generator = torch.Generator().manual_seed(seed + 1)

        def uniform(like, low, high):
            values = torch.rand(like.shape, generator=generator,
                                dtype=torch.float64)
            return (low + (high - low) * values).to(like.dtype)

        batchnorms = [m for m in model.modules()
                      if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        with torch.no_grad():
            for module in batchnorms:
                if module.weight is not None:
                    module.weight.copy_(uniform(module.weight, 0.5, 1.5))
                    module.bias.copy_(uniform(module.bias, -0.2, 0.2))
        # Running statistics measured on random images, as training would
        # leave them: made up ones (or a fresh model's 0 and 1) let
        # activations saturate, and a deep network's output then hardly
        # depends on its input, which would hide errors in early layers.
        for module in batchnorms:
            module.reset_running_stats()
            module.momentum = None  # A cumulative average.
        model.train()
        with torch.no_grad():
            for _ in range(2):
                model(uniform(torch.empty(4, 3, 224, 224), -1.0, 1.0))
        # Then moved off the measured values, so that folding them into the
        # convolutions is tested on more than the measured numbers.
        with torch.no_grad():
            for module in batchnorms:
                if module.running_mean is None:
                    continue
                std = module.running_var.sqrt()
                module.running_mean.add_(
                    uniform(module.running_mean, -0.1, 0.1) * std)
                module.running_var.mul_(uniform(module.running_var, 0.8, 1.25))
    model.eval()
    return model


def tensor_bytes(tensor):
    """The tensor's elements, row-major and little-endian."""
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        # numpy has no bfloat16: the same bits as int16.
        tensor = tensor.view(torch.int16)
    array = tensor.numpy()
    if array.dtype.byteorder == ">" or (array.dtype.byteorder == "="
                                        and sys.byteorder == "big"):
        array = array.byteswap()
    return array.tobytes()


def safetensors_bytes(state, metadata):
    """The bytes of a safetensors file holding `state` (name -> tensor)."""
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in sorted(state):
        tensor = state[name]
        if tensor.dtype not in DTYPES:
            raise ValueError(f"{name}: dtype {tensor.dtype} has no safetensors "
                             "equivalent")
        dtype, size = DTYPES[tensor.dtype]
        data = tensor_bytes(tensor)
        assert len(data) == tensor.numel() * size, name
        header[name] = {
            "dtype": dtype,
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"))
    text = text.encode("utf-8")
    # Pad so that the data buffer starts 8-byte aligned.
    text += b" " * (-(8 + len(text)) % 8)
    return b"".join([len(text).to_bytes(8, "little"), text] + chunks)


def write_atomically(path, data):
    """Writes `data` to `path` through a temporary file in the same folder, so
    that a failed write leaves no partial file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".export_weights.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def main(argv):
    parser = argparse.ArgumentParser(
        description="Export a randomly initialized torchvision model's "
        "state_dict as safetensors.")
    parser.add_argument("model", metavar="MODEL",
                        help="a torchvision classification model, e.g. "
                        "resnet50")
    parser.add_argument("out", metavar="OUT.safetensors", nargs="?",
                        help="the file to write (optional with --list)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the random initialization (default 0)")
    parser.add_argument("--randomize-batchnorm", action="store_true",
                        help="draw batch norms' running statistics, weight "
                        "and bias at random")
    parser.add_argument("--list", action="store_true",
                        help="print each key, dtype and shape")
    args = parser.parse_args(argv)
    if args.out is None and not args.list:
        parser.error("give OUT.safetensors, --list, or both")
    if args.seed < 0:
        parser.error("--seed must be non-negative")

    models = classification_models()
    if args.model not in models:
        print(f"export_weights.py: error: unknown model '{args.model}'; "
              f"torchvision {torchvision.__version__} has: "
              + ", ".join(models), file=sys.stderr)
        return 2

    model = build_model(args.model, args.seed, args.randomize_batchnorm)
    state = model.state_dict()

    if args.out is not None:
        metadata = {
            "format": "pt",
            "model": args.model,
            "seed": str(args.seed),
            "randomize_batchnorm": str(args.randomize_batchnorm).lower(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
        }
        try:
            write_atomically(args.out, safetensors_bytes(state, metadata))
        except OSError as error:
            print(f"export_weights.py: error: cannot write '{args.out}': "
                  f"{error.strerror or error}", file=sys.stderr)
            return 1

    if args.list:
        for name in sorted(state):
            tensor = state[name]
            dtype = DTYPES.get(tensor.dtype, (str(tensor.dtype),))[0]
            print(f"{name} {dtype} {list(tensor.shape)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
