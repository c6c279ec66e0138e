"""The one helper that runs git: the repository's commits, as the release tools need them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

__all__ = ["changed_files", "head", "is_commit", "is_hash", "is_repository", "resolve", "show", "toplevel"]

_HASH = re.compile(r"[0-9a-f]{4,64}")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@{}~^-]{0,200}")


def is_hash(text: object) -> bool:
    """Whether ``text`` is a commit hash (hexadecimal, 4 to 64 digits), and nothing else:
    a string read from a result file is never handed to git unless it is one."""
    return isinstance(text, str) and _HASH.fullmatch(text) is not None


def _git(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as exc:
        return subprocess.CompletedProcess(["git", *args], 1, "", str(exc))


def head(root: Path) -> str:
    """The full hash of ``HEAD`` in the repository at ``root``; raises ``RuntimeError``."""
    done = _git(root, "rev-parse", "HEAD")
    if done.returncode != 0:
        raise RuntimeError(f"git rev-parse HEAD failed in {root}: {done.stderr.strip()[-300:]}")
    return done.stdout.strip()


def resolve(root: Path, name: str) -> str | None:
    """The full hash of the commit ``name`` (a hash, branch or ``HEAD``) names, or ``None``
    (also for a name that could be read as an option, such as ``--output=FILE``)."""
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        return None
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def is_commit(root: Path, commit: str) -> bool:
    """Whether ``commit`` (a hash) is a commit of the repository at ``root``."""
    if not is_hash(commit):
        return False
    return _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def toplevel(folder: Path) -> Path | None:
    """The top folder of the repository holding ``folder``, or ``None`` outside one."""
    done = _git(folder, "rev-parse", "--show-toplevel")
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def changed_files(root: Path, before: str, after: str, *paths: str) -> list[str] | None:
    """Files under ``paths`` that differ between two commits (hashes); ``None`` when git
    cannot tell, or when either is not a hash (``--output=FILE`` read from a result file
    would otherwise be an option of git diff)."""
    if not (is_hash(before) and is_hash(after)):
        return None
    done = _git(root, "diff", "--name-only", "--end-of-options", before, after, "--", *paths)
    return done.stdout.split() if done.returncode == 0 else None


def is_repository(folder: Path) -> bool:
    """Whether ``folder`` is a git repository (a work tree or a bare one) that git can read."""
    if not Path(folder).is_dir():
        return False
    return _git(folder, "rev-parse", "--git-dir").returncode == 0


def show(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` at ``commit`` (a hash) in the repository at ``root``, or ``None``
    when it has no such file."""
    if not is_hash(commit) or not _NAME.fullmatch(path):
        return None
    done = _git(root, "show", "--end-of-options", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None
