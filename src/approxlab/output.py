"""All-or-nothing output folders: nothing half-written, nothing of the user's deleted.

A command writes into a hidden staging folder ``.OUT.run.PID.XXXX.partial`` beside
``OUT``. When it finishes, under a lock (``flock`` on the parent folder):

1. stale staging folders of dead processes (``kill -9``) are removed;
2. files in ``OUT`` that approxlab did not write (not in ``OUT/.approxlab-files.json``)
   and that the new run does not replace are hard-linked into the staging folder;
3. the staging folder and ``OUT`` are swapped in one ``renameat2(RENAME_EXCHANGE)``
   (two renames where the file system lacks it) and the old tree is removed.

So a reader, a crash or ``kill -9`` at any moment sees either the previous complete
folder or the new complete one — never new metrics beside an old model — and a
user's ``OUT/figures/mine.png`` survives. :func:`check_output` runs the folder checks
(a file, a path through a file, a read-only folder) before any work starts.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from approxlab.errors import ApproxlabError

MANIFEST = ".approxlab-files.json"
LOCK_TIMEOUT = 600.0  # seconds to wait for another approxlab writing the same folder
_LEGACY_STALE = 3600.0  # staging folders without a PID (older releases) are stale after an hour


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Permissions for a new file under the process umask (0o644 under umask 022), as ``open`` gives."""
    return 0o666 & ~_umask()


def dir_mode() -> int:
    """Permissions for a new folder under the process umask (0o755 under umask 022)."""
    return 0o777 & ~_umask()


def check_output(out: str | os.PathLike, option: str = "--out") -> Path:
    """Check before any work that ``out`` can become an output folder; return it absolute.

    ``out`` must be a writable folder or not exist yet below a writable folder.

    >>> check_output(tempfile.mkdtemp()).is_dir()
    True
    """
    out = Path(os.path.abspath(out))
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise ApproxlabError(
                f"{option} {str(out)!r} is a file, not a folder: choose a folder path"
            )
        if not os.access(out, os.W_OK | os.X_OK):
            raise ApproxlabError(
                f"{option} {str(out)!r} is not writable: choose another folder or make it writable"
            )
        out = out.resolve()
    ancestor = out.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        if ancestor.is_symlink():
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ApproxlabError(
            f"{option} {str(out)!r} lies inside {str(ancestor)!r}, which is a file: choose a folder path"
        )
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ApproxlabError(
            f"cannot write {option} {str(out)!r}: {str(ancestor)!r} is not writable; "
            "choose a folder you can write"
        )
    return out


@contextmanager
def staged_output(
    out: str | os.PathLike, finish: Callable[[Path], None] | None = None
) -> Iterator[Path]:
    """Yield a fresh staging folder; on success publish it as ``out`` atomically (see the module doc).

    ``finish(stage)`` runs under the folder's lock just before the swap, to merge with
    what ``out`` holds at that moment (the atlas merges results.json this way). On
    any exception the staging folder is deleted and ``out`` is untouched.
    """
    out = check_output(out)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(
        tempfile.mkdtemp(prefix=f".{out.name}.run.{os.getpid()}.", suffix=".partial", dir=parent)
    )
    try:
        os.chmod(stage, dir_mode())
        yield stage
        with folder_lock(out):
            clean_stale(out)
            if finish is not None:
                finish(stage)
            _publish(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """An exclusive lock on output folder ``out``: ``flock`` on its parent folder.

    Locking the parent (not a lock file) leaves nothing behind in the user's folders;
    the lock is held only for the short merge-and-swap, so sibling outputs waiting on
    each other costs milliseconds. The kernel drops it if the process dies.
    """
    import fcntl

    fd = os.open(out.parent, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ApproxlabError(
                        f"another approxlab has been writing beside {str(out)!r} for "
                        f"{LOCK_TIMEOUT:.0f} s: wait for it or choose another --out"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def clean_stale(out: Path) -> list[Path]:
    """Remove staging folders of ``out`` left by processes that no longer run; return them."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(?:run\.([0-9]+)\.)?[A-Za-z0-9_]+\.partial$")
    removed = []
    for entry in out.parent.iterdir():
        match = pattern.match(entry.name)
        if match is None or not entry.is_dir() or entry.is_symlink():
            continue
        if match.group(1) is not None:
            stale = not _alive(int(match.group(1)))
        else:
            stale = time.time() - entry.stat().st_mtime > _LEGACY_STALE
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _files(root: Path) -> set[str]:
    """Relative paths of the files and links below ``root`` (folders implied)."""
    found = set()
    for folder, dirs, names in os.walk(root):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def _written_before(out: Path) -> set[str] | None:
    try:
        listed = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return (
        set(listed)
        if isinstance(listed, list) and all(isinstance(p, str) for p in listed)
        else None
    )


def _publish(stage: Path, out: Path) -> None:
    written = _files(stage)
    if out.is_dir():
        ours = _written_before(out) or set()
        for rel in sorted(_files(out) - written - ours - {MANIFEST}):
            _carry(out / rel, stage / rel, out)
        for folder, dirs, _ in os.walk(out):
            for d in dirs:
                kept = stage / os.path.relpath(os.path.join(folder, d), out)
                if not os.path.islink(os.path.join(folder, d)) and not kept.is_dir():
                    try:
                        kept.mkdir(parents=True)
                    except (FileExistsError, NotADirectoryError):
                        pass
    (stage / MANIFEST).write_text(json.dumps(sorted(written), indent=0) + "\n", encoding="utf-8")
    if not out.exists():
        os.rename(stage, out)
        return
    if not _exchange(stage, out):
        backup = Path(
            tempfile.mkdtemp(
                prefix=f".{out.name}.run.{os.getpid()}.", suffix=".partial", dir=out.parent
            )
        )
        os.rmdir(backup)
        os.rename(out, backup)
        try:
            os.rename(stage, out)
        except OSError:
            os.rename(backup, out)
            raise
        os.rename(backup, stage)


def _carry(source: Path, target: Path, out: Path) -> None:
    """Keep a user's file: hard-link it (copy where links are impossible) into the new tree."""
    conflict = ApproxlabError(
        f"cannot update {str(out)!r}: {str(source)!r}, which approxlab did not write, sits "
        "where this run writes a folder or file; move it away and rerun"
    )
    if target.exists() or target.is_symlink():
        raise conflict
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise conflict from None
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2; False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
