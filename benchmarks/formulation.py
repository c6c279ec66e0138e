"""Which of numba:fused's inside tests does each CPU run fastest?

The three formulations give the same hits; their speed depends on the CPU's multipliers
(``accelpi/backends/formulation.py`` chooses per host). Each is timed here on one thread, so
that the commit history shows, machine by machine, which one the chooser should pick.
"""

from __future__ import annotations

import accelpi

from .common import LongCall, available, size, warm_up

#: The formulations, as ``accelpi.estimate(..., formulation=NAME)`` takes them.
FORMULATIONS = ["int64", "int32", "float"]


class FusedFormulation(LongCall):
    """``time_estimate``: seconds for ``2**26`` samples of numba:fused on one thread, with the
    given inside test forced."""

    params = (FORMULATIONS,)
    param_names = ("formulation",)

    def setup(self, formulation):
        available("numba:fused", "cpu")
        from accelpi import registry

        if "formulation" not in registry.spec("numba:fused").options:
            raise NotImplementedError("numba:fused has one formulation at this commit")
        warm_up("numba:fused", size(2**26), threads=1, formulation=formulation)

    def time_estimate(self, formulation):
        accelpi.estimate(size(2**26), "numba:fused", seed=1, threads=1, formulation=formulation)
