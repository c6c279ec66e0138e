/* Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11), the counter-based generator of Random123 and cuRAND, and the exact inside test
 * used by the cupy:fused kernel. Compiles as CUDA and as host C (for the tests). */
#ifndef __CUDACC__
#define __device__
#define __forceinline__ static inline
static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int)(((unsigned long long)a * b) >> 32);
}
#endif

/* Ten rounds on a 128-bit counter c with a 64-bit key (k0, k1); c is replaced by the output. */
__device__ __forceinline__ void philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1) {
#ifdef __CUDACC__
#pragma unroll
#endif
    for (int round = 0; round < 10; ++round) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c[0]), lo0 = 0xD2511F53u * c[0];
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c[2]), lo1 = 0xCD9E8D57u * c[2];
        unsigned int n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
        k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
    }
}

/* Whether the point (a, b) of the 2**32 grid lies inside the quarter disc: exactly
 * a*a + b*b < 2**64, which holds iff the 64-bit sum does not wrap, i.e. t <= ~s. */
__device__ __forceinline__ unsigned int inside(unsigned int a, unsigned int b) {
    unsigned long long s = (unsigned long long)a * a, t = (unsigned long long)b * b;
    return t <= ~s;
}

/* Hits among the samples of sample pairs first, first + stride, ... below n: pair p is
 * Philox at counter (p, 0, 0) and gives samples 2p and 2p + 1. */
__device__ __forceinline__ unsigned long long count_pairs(unsigned long long n, unsigned long long first,
                                                          unsigned long long stride, unsigned int k0,
                                                          unsigned int k1) {
    unsigned long long pairs = (n + 1) / 2, counted = 0;
    for (unsigned long long p = first; p < pairs; p += stride) {
        unsigned int c[4] = {(unsigned int)p, (unsigned int)(p >> 32), 0u, 0u};
        philox4x32_10(c, k0, k1);
        counted += inside(c[0], c[1]);
        if (2 * p + 1 < n) counted += inside(c[2], c[3]);
    }
    return counted;
}
