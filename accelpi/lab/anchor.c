/* accelpi's entry points into pi_simd.c (kept as it is, beside this file), built as a shared
 * library by accelpi/lab/anchor.py: one count per version, and which versions were compiled. */
#define main pi_simd_main
#include "pi_simd.c"
#undef main

/* Hits of version 0 (scalar), 1 (avx2) or 2 (avx512) over n samples (n a multiple of 8) of the
 * stream with key `key`; UINT64_MAX for a version this build lacks. */
uint64_t accelpi_anchor_count(int version, uint64_t key, uint64_t n) {
    switch (version) {
    case 0:
        return count_scalar(key, n);
#ifdef __AVX2__
    case 1:
        return count_avx2(key, n);
#endif
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    case 2:
        return count_avx512(key, n);
#endif
    default:
        return UINT64_MAX;
    }
}
