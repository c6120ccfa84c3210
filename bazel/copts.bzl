"""Shared compiler flags for every lumen target (one warning list for everyone)."""

LUMEN_COPTS = [
    "-Wall",
    "-Wextra",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
]

LUMEN_TEST_COPTS = LUMEN_COPTS + [
    "-Wno-sign-compare",
]

# Per-ISA flags: each SIMD kernel lives in its own translation unit built with these.
LUMEN_SSSE3_COPTS = ["-mssse3"]
LUMEN_AVX2_COPTS = ["-mavx2", "-mbmi2"]
LUMEN_AVX512_COPTS = ["-mavx2", "-mbmi2", "-mavx512f", "-mavx512bw", "-mavx512vl"]
LUMEN_GFNI_COPTS = LUMEN_AVX512_COPTS + ["-mgfni"]
