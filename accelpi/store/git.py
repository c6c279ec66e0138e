"""The one helper that runs git: the repository's commits, as the release tools need them."""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["changed_files", "head", "is_commit", "resolve", "toplevel"]


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
    """The full hash of the commit ``name`` (a hash, branch or ``HEAD``) names, or ``None``."""
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    return done.stdout.strip() if done.returncode == 0 else None


def is_commit(root: Path, commit: str) -> bool:
    """Whether ``commit`` is a commit of the repository at ``root``."""
    return _git(root, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def toplevel(folder: Path) -> Path | None:
    """The top folder of the repository holding ``folder``, or ``None`` outside one."""
    done = _git(folder, "rev-parse", "--show-toplevel")
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def changed_files(root: Path, before: str, after: str, *paths: str) -> list[str] | None:
    """Files under ``paths`` that differ between two commits; ``None`` when git cannot tell."""
    done = _git(root, "diff", "--name-only", before, after, "--", *paths)
    return done.stdout.split() if done.returncode == 0 else None
