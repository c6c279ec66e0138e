"""The one table of libraries: every library named anywhere in the project comes from it."""

from __future__ import annotations

import ast
import json
import re

import pytest
import tomllib

from accelpi import registry
from accelpi.libraries import LIBRARIES, by_distribution, canonical, sweep_target, sweep_targets

from .helpers import ROOT

#: Distribution names that differ from every import and backend name: written anywhere but
#: the table, they would be a second copy of a fact the table holds.
DISTRIBUTION_ONLY = sorted(
    {d for lib in LIBRARIES.values() for d in lib.distributions} - set(LIBRARIES) - set(registry.names())
)


def _requirement_name(requirement: str) -> str:
    return canonical(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0])


def test_every_backend_library_is_in_the_table():
    for name in registry.names():
        spec = registry.spec(name)
        assert spec.library in LIBRARIES, name
        assert all(required in LIBRARIES for required in spec.requires), name


def test_every_extra_of_the_table_installs_its_library():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for lib in LIBRARIES.values():
        if not lib.extra:
            continue
        assert lib.extra in extras, f"{lib.name}: extra {lib.extra!r} is not in pyproject.toml"
        # an extra lists a build of the library, or another extra that does (ml, all)
        named = {_requirement_name(r) for r in extras[lib.extra]}
        names_a_build = named & {canonical(d) for d in lib.distributions}
        assert names_a_build or any(n.startswith("accelpi") for n in named), (
            lib.name,
            extras[lib.extra],
        )


def test_the_asv_matrix_and_the_constraints_name_only_table_distributions():
    from asv import util

    conf = util.load_json(str(ROOT / "asv.conf.json"), js_comments=True)
    for name in conf["matrix"]["req"]:
        assert by_distribution(name) is not None, f"asv.conf.json pins {name}, which the table does not know"
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert by_distribution(_requirement_name(line)) is not None, line


def test_sweep_targets_are_builds_of_their_library():
    for build, lib in sweep_targets().items():
        assert build in lib.builds
        assert sweep_target(build) is lib
    with pytest.raises(Exception, match="cannot be swept"):
        sweep_target("left-pad")


def _string_constants(path):
    """String constants of a module's code (docstrings, which explain, are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((ROOT / "accelpi").rglob("*.py")) if p.name != "libraries.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_but_the_table_names_a_distribution(path):
    found = [
        f"line {line}: {text!r}"
        for line, text in _string_constants(path)
        # (a backend's name, such as numpy:mkl-umath, may hold its library's distribution name)
        if any(re.search(rf"(?<![\w:-]){re.escape(d)}(?![\w-])", text) for d in DISTRIBUTION_ONLY)
    ]
    assert not found, f"{path.name} names distributions the table holds: {found}"


def test_the_default_asv_environment_holds_every_cpu_library():
    from asv import util

    matrix = {
        canonical(n) for n in util.load_json(str(ROOT / "asv.conf.json"), js_comments=True)["matrix"]["req"]
    }
    for build, lib in sweep_targets().items():
        # the reference build of each sweepable library that an extra installs (a build
        # measured in release sweeps only, with no extra, is left out: see its note)
        if build == lib.sweep_builds[0] and lib.extra:
            assert canonical(build) in matrix, build


def test_inventory_and_release_tables_read_the_table():
    from accelpi.reports.inventory import KEY_DISTRIBUTIONS
    from accelpi.store.series import BUILD_FAMILIES

    assert "intel-tensorflow" in KEY_DISTRIBUTIONS and "distributed" in KEY_DISTRIBUTIONS
    assert BUILD_FAMILIES["tensorflow"][:2] == ("tensorflow-cpu", "intel-tensorflow")
    assert json.dumps(KEY_DISTRIBUTIONS)  # plain strings


def test_a_build_variant_names_its_stock_twin_and_its_sweep():
    from accelpi import registry
    from accelpi.libraries import sweep_targets
    from accelpi.reports.builds import variants

    assert variants("mkl-umath") == {"numpy:mkl-umath": "numpy"}
    assert variants("intel-extension-for-pytorch") == {"torch:ipex": "torch:compile"}
    assert variants("numba") == {}
    for name in registry.names():
        twin = registry.spec(name).twin
        if twin:
            assert twin in registry.names() and registry.spec(twin).devices[0] == "cpu"
            target = next(t for t, lib in sweep_targets().items() if lib.name == registry.spec(name).library)
            assert twin in plan_target(target).backends, f"{twin} is not swept beside {name}"
    assert "intel-tensorflow-avx512" in sweep_targets()


def plan_target(name):
    from accelpi.releases.plan import library

    return library(name)


@pytest.mark.network
def test_a_lockstep_need_is_pinned_to_the_releases_minor_version():
    # the Intel Extension for PyTorch declares no torch dependency, yet runs with one torch only
    from accelpi.releases import plan

    resolved = plan.resolve(plan.library("intel-extension-for-pytorch"), "2.8.0")
    assert isinstance(resolved, dict), resolved
    assert resolved["intel-extension-for-pytorch"] == "2.8.0" and resolved["torch"].startswith("2.8.")
    # and the library's constraint: it imports pkg_resources, which setuptools 82 removed
    assert int(resolved["setuptools"].split(".")[0]) < 82, resolved


def test_a_librarys_constraints_name_its_needs():
    for lib in LIBRARIES.values():
        for constraint in lib.constraints:
            name = canonical(re.split(r"[=<>!~]", constraint, maxsplit=1)[0])
            assert name in lib.needs, f"{lib.name}: {constraint} constrains no need of it"
