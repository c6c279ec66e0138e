"""``python -m accelpi``: the same as the ``accelpi`` command."""

import sys

from .cli import main

sys.exit(main())
