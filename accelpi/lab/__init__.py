"""The lab: experiments that time or stress the backends beyond one estimate.

:mod:`~accelpi.lab.timing`
    how ``accelpi compare`` times a backend (import, first call, best of repeats);
:mod:`~accelpi.lab.threads`
    thread scaling, determinism under concurrency, and the talk's race;
:mod:`~accelpi.lab.overhead`
    Dask's launch overhead against a plain thread pool;
:mod:`~accelpi.lab.calibration`
    the host's own speed, with kernels that depend on no measured library;
:mod:`~accelpi.lab.anchor`
    this CPU's hand-written limit: numba:fused's loop in C (``pi_simd.c``), built and timed here.
"""
