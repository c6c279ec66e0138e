"""Backend implementations, one module per library.

Each module holds that library's variants: a function ``f(job) -> hits`` per backend,
its kernel, chunking and seeding. The registry (:mod:`accelpi.registry`) names them and
imports a module only when one of its backends is listed or used.
"""
