"""Is splitting the work into tasks worth it (the talk's item 6)?"""

from __future__ import annotations

from .common import available, size

METHODS = ["threadpool", "dask:delayed", "dask:distributed"]


class LaunchOverhead:
    """``time_launch``: seconds for ``2**24`` samples split into 1 to 1000 tasks, run by a
    ``ThreadPoolExecutor``, Dask's threaded scheduler, or a local Dask cluster.

    The same total work at every point: the growth with the task count is the cost of
    launching tasks (flat for the thread pool, growing for Dask, as the talk found).
    """

    params = (METHODS, [1, 10, 100, 1000])
    param_names = ("method", "tasks")
    timeout = 300
    number = 1
    repeat = (3, 10, 6.0)
    warmup_time = 0

    def setup(self, method, tasks):
        try:
            from accelpi.overhead import runner
        except ImportError:
            raise NotImplementedError("accelpi.overhead does not exist at this commit") from None
        available("dask:distributed" if method == "threadpool" else method)
        self.run = runner(method, size(2**24))
        self.run(tasks)  # starts the cluster, imports and compiles

    def time_launch(self, method, tasks):
        self.run(tasks)
