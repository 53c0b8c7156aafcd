"""Atomic file writes: readers see the old file or the complete new one, never a partial one.

Every face that writes a user-visible file (the workbook generator, batch, eval/annotate) goes
through here: write to a temporary file in the target's folder, flush it to disk, then rename it
over the target (or, when replacing is not allowed, link it into place only if nothing is there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


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
