#!/usr/bin/env bash
# Another language over the shared object: Python's ctypes loads liblumen_capi.so, checks
# the ABI version and round-trips an RS(4,2) block through lumen_fec_*.
set -euo pipefail
lib="$1"
python3 - "$lib" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
assert lib.lumen_abi_version() >> 16 == 1, lib.lumen_abi_version()

class FecConfig(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("kind", ctypes.c_uint32),
                ("data_shards", ctypes.c_uint32), ("parity_shards", ctypes.c_uint32),
                ("max_shard_bytes", ctypes.c_uint64)]

cfg = FecConfig(ctypes.sizeof(FecConfig), 1, 4, 2, 0)
fec = ctypes.c_void_p()
assert lib.lumen_fec_create(ctypes.byref(cfg), ctypes.byref(fec)) == 0
n = 64
bufs = [ctypes.create_string_buffer(bytes((i * 37 + j) & 0xFF for j in range(n)), n) for i in range(6)]
orig = [bytes(b.raw) for b in bufs[:4]]
ptrs = (ctypes.c_void_p * 6)(*[ctypes.cast(b, ctypes.c_void_p) for b in bufs])
assert lib.lumen_fec_encode(fec, ptrs, ctypes.byref(ptrs, 4 * ctypes.sizeof(ctypes.c_void_p)), n) == 0
missing = (ctypes.c_uint8 * 6)(1, 0, 1, 0, 0, 0)
ctypes.memset(bufs[0], 0, n); ctypes.memset(bufs[2], 0, n)
assert lib.lumen_fec_decode(fec, ptrs, missing, n) == 0
assert [bytes(b.raw) for b in bufs[:4]] == orig
lib.lumen_status_string.restype = ctypes.c_char_p
assert lib.lumen_status_string(-2) == b"too few shards to recover"
lib.lumen_fec_destroy(fec)
print("ctypes: ok")
PY
