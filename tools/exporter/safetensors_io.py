"""The safetensors file format read and written with numpy alone (no `safetensors` package).

A file is an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
data_offsets}} (optionally `__metadata__`), then the raw little-endian data. Headers are read
first so a checkpoint can be checked completely before any weight is touched; data is then read
one tensor at a time through a memory map, so loading never holds two copies of the weights.
"""
import dataclasses
import json
import os

import numpy as np

ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


class SafetensorsError(SystemExit):
    """A malformed file; a SystemExit so the exporter's command line prints it and stops."""


@dataclasses.dataclass(frozen=True)
class Stored:
    file: str       # path of the .safetensors file
    name: str
    dtype: str      # safetensors dtype string, e.g. BF16
    shape: tuple
    offset: int     # absolute byte offset of the data in the file
    nbytes: int


def read_header(path):
    """-> {name: Stored} of one file, with every offset checked against the file's size."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise SafetensorsError(f"{path}: not a safetensors file (shorter than 8 bytes)")
        n = int.from_bytes(raw, "little")
        if n <= 0 or 8 + n > size:
            raise SafetensorsError(f"{path}: not a safetensors file (header length {n} for a {size}-byte file)")
        try:
            header = json.loads(f.read(n))
        except ValueError as e:
            raise SafetensorsError(f"{path}: header is not JSON ({e})") from e
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype, shape, (begin, end) = info["dtype"], tuple(info["shape"]), info["data_offsets"]
        count = int(np.prod(shape)) if shape else 1
        if dtype in ITEMSIZE and end - begin != count * ITEMSIZE[dtype]:
            raise SafetensorsError(f"{path}: tensor {name} {list(shape)} {dtype} has {end - begin} bytes of data, "
                                   f"expected {count * ITEMSIZE[dtype]}")
        if begin < 0 or 8 + n + end > size:
            raise SafetensorsError(f"{path}: tensor {name} data [{begin}, {end}) lies beyond the end of the file")
        out[name] = Stored(path, name, dtype, shape, 8 + n + begin, end - begin)
    return out


def read_float32(stored):
    """The tensor's values as a float32 numpy array (BF16, F16 and F32 only)."""
    count = stored.nbytes // ITEMSIZE[stored.dtype]
    if stored.dtype == "BF16":
        raw = np.memmap(stored.file, dtype="<u2", mode="r", offset=stored.offset, shape=(count,))
        # bf16 is the top half of a float32: widening is exact
        arr = (raw.astype(np.uint32) << 16).view(np.float32)
    elif stored.dtype == "F16":
        arr = np.memmap(stored.file, dtype="<f2", mode="r", offset=stored.offset, shape=(count,)).astype(np.float32)
    elif stored.dtype == "F32":
        arr = np.array(np.memmap(stored.file, dtype="<f4", mode="r", offset=stored.offset, shape=(count,)))
    else:
        raise SafetensorsError(f"{stored.file}: tensor {stored.name} has dtype {stored.dtype}; only BF16, F16, F32 are read")
    return arr.reshape(stored.shape)


def to_dtype_bytes(a, dtype):
    """float32 array -> raw little-endian bytes of `dtype` (BF16 rounds to nearest even)."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    if dtype == "BF16":
        u = a.view(np.uint32).astype(np.uint64)
        return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2").tobytes()
    if dtype == "F16":
        return a.astype("<f2").tobytes()
    if dtype == "F32":
        return a.astype("<f4").tobytes()
    raise ValueError(f"cannot write dtype {dtype}")


def write(path, arrays, dtype="F32", metadata=None):
    """Writes {name: float32 array} as one safetensors file of `dtype`, tensors sorted by name."""
    header, offset = {}, 0
    names = sorted(arrays)
    for name in names:
        nbytes = int(np.prod(arrays[name].shape)) * ITEMSIZE[dtype]
        header[name] = {"dtype": dtype, "shape": list(arrays[name].shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for name in names:
            f.write(to_dtype_bytes(arrays[name], dtype))
