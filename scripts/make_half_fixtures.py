#!/usr/bin/env python3
"""Writes tests/fixtures/CASE.f16.safetensors and CASE.bf16.safetensors: the PyTorch-written F32 fixtures with
every tensor stored as 16-bit floats, rounded as PyTorch rounds them, by an implementation that is not rnnscope's:

- F16 by the standard library's IEEE 754 binary16 packing (`struct` format 'e', round half to even), the rounding
  of PyTorch's `tensor.half()`;
- BF16 by PyTorch's own formula (c10/util/BFloat16.h, round_to_nearest_even):
  `(bits + 0x7FFF + ((bits >> 16) & 1)) >> 16`.

Only the standard library (no torch needed). tests/model_file.rs checks that rnnscope loads these as its own
rounding of the F32 fixture, bit for bit. The outputs are committed; run it again only if the fixtures change:

    python3 scripts/make_half_fixtures.py
"""

import json
import struct
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
CASES = ["rnn_1", "rnn_relu_2", "lstm_1", "lstm_2", "gru_1", "gru_2"]


def read(path):
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", (path, name, t["dtype"])
        start, end = t["data_offsets"]
        values = struct.unpack(f"<{(end - start) // 4}f", body[start:end])
        tensors[name] = (t["shape"], values)
    return meta, tensors


def f16(values):
    return struct.pack(f"<{len(values)}e", *values)


def bf16(values):
    out = bytearray()
    for v in values:
        (bits,) = struct.unpack("<I", struct.pack("<f", v))
        out += struct.pack("<H", ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF)
    return bytes(out)


def write(path, meta, tensors, dtype, pack):
    header = {"__metadata__": meta}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        raw = pack(values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


for case in CASES:
    meta, tensors = read(FIXTURES / f"{case}.safetensors")
    write(FIXTURES / f"{case}.f16.safetensors", meta, tensors, "F16", f16)
    write(FIXTURES / f"{case}.bf16.safetensors", meta, tensors, "BF16", bf16)
    print(f"{case}: F16 and BF16 written")
