"""Is splitting the work into tasks worth it (the talk's item 6)?"""

from __future__ import annotations

from .common import LongCall, available, size

METHODS = ["threadpool", "dask:delayed", "dask:distributed"]


class LaunchOverhead(LongCall):
    """``time_launch``: seconds for ``2**24`` samples split into 1 to 1000 tasks, run by a
    ``ThreadPoolExecutor``, Dask's threaded scheduler, or a local Dask cluster.

    The same total work at every point: the growth with the task count is the cost of
    launching tasks (flat for the thread pool, growing for Dask, as the talk found).
    """

    params = (METHODS, [1, 10, 100, 1000])
    param_names = ("method", "tasks")
    # asv's default version is a hash of the code below; the code changed only where it
    # finds the lab (it moved to accelpi.lab), so the series continues under its old version.
    version = "acfe5f84e377c078e032c102035dca48bb3835f1865df12d11608c5a3c7b08cc"

    def setup(self, method, tasks):
        try:
            from accelpi.lab.overhead import runner
        except ImportError:
            try:  # commits before the lab package
                from accelpi.overhead import runner
            except ImportError:
                raise NotImplementedError("the launch-overhead lab does not exist at this commit") from None
        available("dask:distributed" if method == "threadpool" else method)
        self.run = runner(method, size(2**24))
        self.run(tasks)  # starts the cluster, imports and compiles

    def time_launch(self, method, tasks):
        self.run(tasks)
