"""pip's refusals in one line that says why: for a conflict, what conflicts with what."""

from __future__ import annotations

import subprocess

import pytest

from accelpi.releases import pip

# pip 25's words for a conflict: the cause on standard output (only without --quiet)
CONFLICT_OUT = """
The conflict is caused by:
    The user requested numpy==2.3.5
    numba 0.57.1 depends on numpy<1.25 and >=1.21

To fix this you could try to:
1. loosen the range of package versions you've specified
2. remove package versions to allow pip to attempt to solve the dependency conflict
"""
CONFLICT_ERR = (
    "WARNING: Location 'file:///somewhere/simple/numba/' is ignored\n"
    "ERROR: Cannot install numba==0.57.1 and numpy==2.3.5 because these package versions have "
    "conflicting dependencies.\n"
    "ERROR: ResolutionImpossible: for help visit https://pip.example/dealing-with-dependency-conflicts\n"
)


def test_a_conflict_says_what_conflicts_with_what_not_where_to_read_about_it():
    said = pip.reason(subprocess.CompletedProcess([], 1, CONFLICT_OUT, CONFLICT_ERR))
    assert said == (
        "Cannot install numba==0.57.1 and numpy==2.3.5 because these package versions have conflicting "
        "dependencies: The user requested numpy==2.3.5; numba 0.57.1 depends on numpy<1.25 and >=1.21"
    )
    quiet = pip.reason(subprocess.CompletedProcess([], 1, "", CONFLICT_ERR))  # no cause printed
    assert quiet.startswith("Cannot install numba==0.57.1") and "ResolutionImpossible" not in quiet
    other = "ERROR: No matching distribution found for numba==0.99.0\n"
    assert pip.reason(subprocess.CompletedProcess([], 1, "", other)) == other.strip()


@pytest.mark.network
def test_a_dry_run_that_conflicts_gives_the_conflict_lines():
    done = pip.dry_run(["numba==0.57.1", "numpy==2.3.5"])
    assert done.returncode != 0
    said = pip.reason(done)
    assert "Cannot install numba==0.57.1 and numpy==2.3.5" in said and "numba 0.57.1 depends on numpy" in said
