/* cupy:fused: each thread counts its sample pairs in registers (see philox.cuh), then
 * a warp-shuffle sum and one 64-bit atomic per warp. */
extern "C" __global__ void count_pi(unsigned long long n, unsigned int k0, unsigned int k1,
                                    unsigned long long* hits) {
    unsigned long long tid = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
    unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
    unsigned long long counted = count_pairs(n, tid, stride, k0, k1);
    for (int offset = 16; offset > 0; offset >>= 1)
        counted += __shfl_down_sync(0xffffffffu, counted, offset);
    if ((threadIdx.x & 31) == 0) atomicAdd(hits, counted);
}
