"""The package's shape: small modules, and imports that only point one way (no cycle)."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGE = ROOT / "accelpi"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """accelpi modules imported anywhere in ``path`` (in functions too: a cycle is a cycle)."""
    here = _name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("accelpi"):
                continue
            for alias in node.names:  # `from .. import registry` imports the module accelpi.registry
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in NAMES else base)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("accelpi")}
    return {name for name in found if name in NAMES and name != here}


NAMES = {_name(path) for path in MODULES}


def _graph() -> dict[str, set[str]]:
    # A package's __init__ runs before any of its modules: edges into a package are not
    # dependencies between modules, so they are left out.
    packages = {_name(p) for p in MODULES if p.name == "__init__.py"}
    return {_name(p): _imports(p) - packages for p in MODULES}


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


@pytest.mark.parametrize(
    ("module", "must_not_import"),
    [
        ("accelpi.registry", "accelpi.core"),
        ("accelpi.environment", "accelpi.core"),
        ("accelpi.libraries", "accelpi.registry"),
        ("accelpi.lab.overhead", "accelpi.backends.dask_"),
    ],
)
def test_arrows_point_down(module, must_not_import):
    def reaches(start: str, seen: set[str]) -> set[str]:
        for nxt in _graph().get(start, ()):
            if nxt not in seen:
                seen.add(nxt)
                reaches(nxt, seen)
        return seen

    assert must_not_import not in reaches(module, set())


def test_no_backend_imports_another_backend_or_the_registry():
    # except its stock twin's module: a build's code path (numpy:mkl-umath, torch:ipex) runs
    # the twin's very kernel with the build's pieces, rather than a copy of it
    from accelpi import registry

    package = "accelpi.backends."
    twins = {
        package + spec.module: package + registry.spec(spec.twin).module
        for spec in map(registry.spec, registry.names())
        if spec.twin
    }
    graph = _graph()
    for name, imported in graph.items():
        if name.startswith("accelpi.backends."):
            others = {m for m in imported if m.startswith("accelpi.backends.")} - {
                "accelpi.backends.cuda_source",
                "accelpi.backends.formulation",
                twins.get(name),
            }
            assert not others and "accelpi.registry" not in imported, (name, imported)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 420


#: The functions still longer than :data:`FUNCTION_LINES`: a ratchet (issue 43), empty since
#: 2026-12-06 (the last, ``verdicts.compare``, went from 89 lines to 61). A new function never
#: joins it: a long one is split (the work in the package, ``cmd_*`` parse and print).
LONG_FUNCTIONS: dict[str, int] = {}
FUNCTION_LINES = 80


def test_functions_stay_short_and_the_long_ones_only_shrink():
    found = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    found[f"{path.relative_to(ROOT).as_posix()}:{node.name}"] = lines
    new = {k: v for k, v in found.items() if k not in LONG_FUNCTIONS}
    assert not new, (
        f"over {FUNCTION_LINES} lines: {new}; split them (the work in the package, cmd_* parse and print)"
    )
    grown = {k: (LONG_FUNCTIONS[k], v) for k, v in found.items() if v > LONG_FUNCTIONS.get(k, v)}
    assert not grown, f"grew (listed, now): {grown}"
    fits = sorted(set(LONG_FUNCTIONS) - set(found))
    assert not fits, f"now {FUNCTION_LINES} lines or fewer: take them off LONG_FUNCTIONS: {fits}"


# -- the release tools: four rooms, arrows down only ----------------------------------

#: The release tools' folders, bottom first: a module may import its own folder and the
#: folders below it, never one above or beside it (measuring and the site share a level).
RELEASE_ROOMS = {"accelpi.store": 0, "accelpi.reports": 1, "accelpi.releases": 2, "accelpi.site": 2}


def _room(module: str) -> str | None:
    return next((room for room in RELEASE_ROOMS if module == room or module.startswith(room + ".")), None)


def test_the_release_rooms_import_only_downwards():
    wrong = []
    for module, imported in _graph().items():
        room = _room(module)
        if room is None:
            continue
        for other in imported:
            there = _room(other)
            if there is not None and there != room and RELEASE_ROOMS[there] >= RELEASE_ROOMS[room]:
                wrong.append(f"{module} imports {other}")
            if other.startswith(("accelpi.cli", "accelpi.gate")):
                wrong.append(f"{module} imports {other} (the command line sits above every room)")
    assert not wrong, wrong


def _literals(path: Path) -> list[list[object]]:
    """Every list or tuple of constants (and names) written in ``path``: command lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.List | ast.Tuple):
            found.append([e.value if isinstance(e, ast.Constant) else None for e in node.elts])
    return found


def _runs(path: Path, tool: str) -> bool:
    for items in _literals(path):
        if tool == "git" and items[:1] == ["git"]:
            return True
        if tool == "pip" and any(a == "-m" and b == "pip" for a, b in itertools.pairwise(items)):
            return True
    return False


@pytest.mark.parametrize(
    ("tool", "helper"), [("git", "accelpi/store/git.py"), ("pip", "accelpi/releases/pip.py")]
)
def test_one_helper_runs_each_tool(tool, helper):
    running = sorted(str(p.relative_to(ROOT)) for p in MODULES if _runs(p, tool))
    assert running == [helper]


def test_only_the_store_imports_asv():
    importing = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(name == "asv" or name.startswith("asv.") for name in names):
                importing.append(str(path.relative_to(ROOT)))
    assert sorted(set(importing)) == ["accelpi/store/asvcompat.py"]


@pytest.mark.parametrize("package", ["store", "reports", "releases", "site", "lab", "cli"])
def test_each_package_s_docstring_names_every_module_it_holds(package):
    # the map a newcomer reads first; a module added without a line there is a room off the map
    # (accelpi.backends is the exception: the registry is its map)
    folder = PACKAGE / package
    text = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
    held = sorted(p.stem for p in folder.glob("*.py") if p.name != "__init__.py")
    missing = [m for m in held if not re.search(rf"accelpi\.{package}\.{m}[`.]|``{m}``", text)]
    assert not missing, f"accelpi/{package}/__init__.py does not say what these hold: {missing}"


@pytest.mark.parametrize(
    ("literal", "owner"),
    [
        ("%Y-%m-%dT%H:%M:%SZ", "accelpi/timestamps.py"),  # the moment every record writes
        ("/proc/cpuinfo", "accelpi/machine.py"),  # the host's CPU, read once
    ],
)
def test_one_owner_for_each_format_and_host_file(literal, owner):
    holders = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if literal in node.value:
                    holders.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(holders)) == [owner]


@pytest.mark.parametrize("folder", ["results", "sweeps", "experiments", "projects", "docs"])
def test_every_data_folder_says_what_it_holds_and_who_writes_it(folder):
    """A newcomer opening a folder of results or docs reads first what it holds (issue 43)."""
    readme = ROOT / folder / "README.md"
    assert readme.is_file(), f"{folder}/ has no README.md"
    assert len(readme.read_text(encoding="utf-8").split()) >= 40, f"{folder}/README.md says too little"


#: The words that once meant several things (a command, a module, a file, a flag); each now has
#: one entry in the glossary, the register of what a word means in this project.
ONE_MEANING = ("sweep", "record", "summary", "estimate", "duration", "project", "context", "build", "gate")


@pytest.mark.parametrize("word", ONE_MEANING)
def test_the_glossary_gives_each_word_one_entry(word):
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    entries = re.findall(rf"^\*\*{word}\*\*", glossary, flags=re.MULTILINE)
    assert len(entries) == 1, f"docs/glossary.md: {len(entries)} entries for {word!r}"
