"""Four ways to write torch:compile's chunk, timed on the H100 (output: torch_compile_variants.txt).

Run there as ``python3 torch_compile_variants.py``; 2**31 samples per timing, best of 5.
"""

import time

import torch

dev = torch.device("cuda")


def masked(size, chunk: int):  # accelpi's kernel before 2026-11-27: one (2, chunk) draw
    xy = torch.rand((2, chunk), dtype=torch.float32, device=dev)
    inside = xy[0] * xy[0] + xy[1] * xy[1] < 1.0
    return torch.count_nonzero(inside & (torch.arange(chunk, device=dev) < size))


def plain(size, chunk: int):  # the same without the mask of the short last chunk
    xy = torch.rand((2, chunk), dtype=torch.float32, device=dev)
    return torch.count_nonzero(xy[0] * xy[0] + xy[1] * xy[1] < 1.0)


def split(size, chunk: int):  # x and y as two draws (what accelpi does now, with the mask)
    x = torch.rand(chunk, dtype=torch.float32, device=dev)
    y = torch.rand(chunk, dtype=torch.float32, device=dev)
    return (x * x + y * y < 1.0).sum()


def summed(size, chunk: int):  # one draw, counted with sum() instead of count_nonzero()
    xy = torch.rand((2, chunk), dtype=torch.float32, device=dev)
    return ((xy[0] * xy[0] + xy[1] * xy[1] < 1.0) & (torch.arange(chunk, device=dev) < size)).sum()


N = 2**31
for name, f in [("masked", masked), ("plain", plain), ("split", split), ("summed", summed)]:
    for chunk in (2**28, 2**30):
        k = torch.compile(f, fullgraph=True, dynamic=False)
        t0 = time.perf_counter()
        int(k(torch.tensor(chunk, device=dev), chunk))
        first = time.perf_counter() - t0
        best = 9e9
        for _ in range(5):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            tot = torch.zeros((), dtype=torch.int64, device=dev)
            for i in range(N // chunk):
                torch.manual_seed(i)
                tot += k(torch.tensor(chunk, device=dev), chunk)
            int(tot.item())
            best = min(best, time.perf_counter() - t0)
        rate = N / best / 1e9
        print(f"{name:7} chunk 2**{chunk.bit_length() - 1}: {rate:6.1f} Gsamples/s (first {first:.1f} s)")
