"""PyTorch backends: ``torch`` (eager ``torch.rand`` in chunks) and ``torch:compile``.

Both run on ``cpu`` or ``cuda`` and draw float32 points. ``torch`` gives chunk ``i`` its
own generator seed ``base + i`` (32-bit: PyTorch's CPU Mersenne Twister uses 32 bits of
the seed), so chunks never share a stream. ``torch:compile`` compiles the chunk kernel
with ``torch.compile``; its random numbers come from Inductor's own generator, seeded per
chunk from the same seeds through the global RNG, which is forked and restored, so the
caller's RNG state is untouched. The two variants give different (each reproducible) hits.

PyTorch's CPU thread count is process-wide: it is set for the call and restored, under a
lock, so concurrent calls with different ``threads`` cannot change each other's setting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch

from ..core import Job
from ..machine import cpu_count

#: Samples per chunk: 2 x 4 Mi float32 (32 MiB) on the CPU (chosen on cpu-epyc-2c); 2 x 256 Mi (2 GiB)
#: on a GPU (an H100). Part of the stream: another size is another stream.
CHUNK = {"cpu": 1 << 22, "cuda": 1 << 28}

_GLOBAL_STATE = threading.Lock()  # torch.set_num_threads and the global RNG are process-wide
_compiled: dict[tuple[str, str], Callable[..., torch.Tensor]] = {}


def available_devices() -> tuple[str, ...]:
    return ("cpu", "cuda") if torch.cuda.is_available() else ("cpu",)


def device_reason(device: str) -> str:
    if torch.version.cuda is None:
        return f"this torch {torch.__version__} is a CPU-only build"
    return "no CUDA GPU visible to torch (torch.cuda.is_available() is False)"


@contextmanager
def _cpu_threads(job: Job) -> Iterator[None]:
    if job.device != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(job.threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class _ChunkBuffers:
    """The eager kernel's three arrays, allocated once per call and reused by every chunk.

    A new 32 MiB array per chunk is a new ``mmap`` under glibc (above its largest mmap
    threshold), and faulting its pages in cost as much as drawing into them: on a 2-core
    machine 2**25 samples took 0.28 s instead of 0.16 s in about half the processes,
    depending on how the heap happened to lie (docs/benchmarking.md).
    """

    def __init__(self, size: int, device: torch.device):
        self.xy = torch.empty(2 * size, dtype=torch.float32, device=device)
        self.r2 = torch.empty(size, dtype=torch.float32, device=device)
        self.inside = torch.empty(size, dtype=torch.bool, device=device)

    def count(self, generator: torch.Generator, size: int) -> torch.Tensor:
        xy = self.xy[: 2 * size].view(2, size)  # contiguous: the same draws as a new array
        torch.rand((2, size), generator=generator, out=xy)
        xy.square_()
        r2 = torch.add(xy[0], xy[1], out=self.r2[:size])
        return torch.count_nonzero(torch.lt(r2, 1.0, out=self.inside[:size]))


def count(job: Job) -> int:
    """``torch``: eager ``torch.rand`` chunks, counts summed on the device."""
    device = torch.device(job.device)
    chunk = CHUNK[job.device]
    base = job.seed32_base(chunk, "PyTorch")
    generator = torch.Generator(device=device)
    total = torch.zeros((), dtype=torch.int64, device=device)
    buffers = _ChunkBuffers(job.chunk_size(chunk, 0), device)
    with _GLOBAL_STATE, _cpu_threads(job):
        for i in range(job.chunks(chunk)):
            generator.manual_seed((base + i) & 0xFFFFFFFF)
            total += buffers.count(generator, job.chunk_size(chunk, i))
        return int(total.item())  # .item() waits for the device: timing is honest


def _masked_chunk(size: torch.Tensor, chunk: int, device: torch.device) -> torch.Tensor:
    # A fixed shape, with the short last chunk masked, compiles once for every n. x and y
    # are two draws: Inductor then fuses each into the count, where one (2, chunk) draw
    # indexed by row is not (on an H100, 163-171 against 111 Gsamples/s; docs/gpu.md).
    x = torch.rand(chunk, dtype=torch.float32, device=device)
    y = torch.rand(chunk, dtype=torch.float32, device=device)
    inside = x * x + y * y < 1.0
    valid = torch.arange(chunk, device=device) < size
    return torch.count_nonzero(inside & valid)


#: Dynamo compiles the kernel once per chunk bucket (2**16 to 2**22 on a CPU, up to 2**28 on
#: a GPU), thread count and device, and by default gives up after 8 compiles of one function
#: (with fullgraph=True: an error). A process that varies n and threads reaches that, so the
#: limit is raised to cover every combination; it is never lowered.
_COMPILES = 13 * 2 * (cpu_count() + 1)


def _allow_compiles(count: int) -> None:
    config = torch._dynamo.config
    for name in ("recompile_limit", "cache_size_limit"):  # the name changed across releases
        if getattr(config, name, None) is not None and getattr(config, name) < count:
            setattr(config, name, count)


def _kernel(device: str, backend: str) -> Callable[..., torch.Tensor]:
    if (device, backend) not in _compiled:
        _allow_compiles(_COMPILES)
        _compiled[device, backend] = torch.compile(
            _masked_chunk, fullgraph=True, dynamic=False, backend=backend
        )
    return _compiled[device, backend]


def compiled(job: Job, backend: str = "inductor") -> int:
    """``torch:compile``: the chunk kernel under ``torch.compile`` (Inductor, or another
    compiler ``backend``: ``torch:ipex`` passes Intel's)."""
    device = torch.device(job.device)
    chunk = job.bucket(CHUNK[job.device])  # compiled once per power-of-two chunk size
    base = job.seed32_base(chunk, "PyTorch")
    kernel = _kernel(job.device, backend)
    total = torch.zeros((), dtype=torch.int64, device=device)
    fork_devices = [device] if device.type == "cuda" else []
    with _GLOBAL_STATE, _cpu_threads(job), torch.random.fork_rng(devices=fork_devices):
        for i in range(job.chunks(chunk)):
            torch.manual_seed((base + i) & 0xFFFFFFFF)
            size = torch.tensor(job.chunk_size(chunk, i), device=device)
            total += kernel(size, chunk, device)
        return int(total.item())
