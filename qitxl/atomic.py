"""The output policy and atomic file writes, for every command that writes a user-visible file.

One rule for ``generate``, ``batch``, ``eval`` and ``annotate`` (``check_output``):

- an existing OUT is replaced only with ``--force`` (otherwise: refused, exit 2; batch marks the
  workbook "exists (use --force)");
- a missing folder on OUT's path is created (when the work succeeds, just before writing);
- OUT may not be one of the command's inputs (the same file by path or by inode), with or
  without ``--force``: a user's file is never overwritten in place;
- OUT may not be a folder, and nothing on its path may be a file.

Writes (``output_target``) go to a temporary file in OUT's folder, are flushed to disk and then
renamed over OUT (or, without ``--force``, linked into place only if nothing is there), so readers
see the old file or the complete new one, never a partial one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .exceptions import QitxlError


class OutputRefused(QitxlError):
    """OUT cannot be written under the output policy (exit status 2)."""


class OutputExists(OutputRefused, FileExistsError):
    """OUT exists and ``--force`` was not given."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when two paths name the same file (resolved paths, or the same inode if both exist)."""
    a, b = Path(a), Path(b)
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: str | os.PathLike[str], *, force: bool = False,
                 inputs: Iterable[str | os.PathLike[str] | None] = ()) -> Path:
    """Apply the output policy (module docs) to ``path`` before any work; OutputRefused says why not."""
    target = Path(path)
    for src in inputs:
        if src is not None and same_file(src, target):
            raise OutputRefused(f"output {target} is the input file {src}; choose another name "
                                "(inputs are never overwritten, even with --force)")
    if target.is_dir():
        raise OutputRefused(f"output {target} is a folder; give a file name")
    for folder in target.parents:
        if folder.exists():
            if not folder.is_dir():
                raise OutputRefused(f"output {target}: {folder} is a file, not a folder")
            break
    if target.exists() and not force:
        raise OutputExists(f"output {target} exists; use --force to replace it")
    return target


@contextlib.contextmanager
def output_target(path: str | os.PathLike[str], *, force: bool) -> Iterator[Path]:
    """``atomic_target`` for a command's OUT: creates missing folders first; without ``force``
    raises OutputExists if OUT appeared meanwhile."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_target(target, replace=force) as tmp:
            yield tmp
    except FileExistsError:
        raise OutputExists(f"output {target} appeared while writing; use --force to replace it") from None


def write_output(path: str | os.PathLike[str], data: bytes, *, force: bool) -> None:
    """Write a command's OUT atomically under the output policy (see ``output_target``)."""
    with output_target(path, force=force) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], *, replace: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, move it onto ``path``.

    Without ``replace``, raises FileExistsError if ``path`` exists by then: an existing file is
    never clobbered. The temporary file is removed whatever happens.
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        if replace:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # atomic "create only if absent"
        except FileExistsError:
            raise
        except OSError:  # file systems without hard links
            if target.exists():
                raise FileExistsError(target) from None
            os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_atomic(path: str | os.PathLike[str], data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` atomically; without ``replace`` an existing file raises FileExistsError."""
    with atomic_target(path, replace=replace) as tmp:
        tmp.write_bytes(data)
