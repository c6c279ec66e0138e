"""accelpi's asv suite: one file per question (throughput, first call, accuracy, scaling, memory,
overhead, threads), and the host's own speed beside them (calibration).

BLAS is not part of this workload, and a BLAS pool spinning beside a library's own threads
would only add noise: pin it to one thread, once, before any library is imported.
Each backend's own threads are set by accelpi (``threads=None``: every core).
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
