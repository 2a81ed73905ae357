"""Output files of the command line and the app's exports, checked before any work is done.

`check_outputs` refuses an output that is one of the inputs, a folder, or in a folder that does
not exist; `PendingFile` (a text stream) and `replacing` (any writer) write under a temporary
name and rename over the output only when the writing succeeded, so a failed run (a full disk,
an error half-way) leaves an existing file as it was and no broken file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from auedit.media.metadata import PhotoMetadata, write_with_metadata

if TYPE_CHECKING:
    import numpy as np

PathLike = str | os.PathLike[str]


class OutputError(ValueError):
    """An output that cannot or must not be written: the message names it and says why."""


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name one file (also through links, or spelt differently)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _check_writable(out: Path) -> None:
    if out.is_dir():
        raise OutputError(f"cannot write {out}: it is a folder (give a file name)")
    parent = out.parent
    if not parent.exists():
        raise OutputError(f"cannot write {out}: the folder {parent} does not exist")
    if not parent.is_dir():
        raise OutputError(f"cannot write {out}: {parent} is not a folder")
    allowed = os.access(out, os.W_OK) if out.exists() else os.access(parent, os.W_OK | os.X_OK)
    if not allowed:
        raise OutputError(f"cannot write {out}: no permission")


def _try_folder(out: Path) -> None:
    """Create and remove a file where `out` will be written (a new file beside it, as
    `replacing` writes, in the folder of the file a link names): `os.access` says yes to
    root in a folder that takes no files (/proc, a read-only mount), and `fit` and
    `transfer` failed only once their work was done."""
    target = Path(os.path.realpath(out))
    if target.exists() and not target.is_file():
        return  # a device or pipe is written in place
    try:
        fd, name = tempfile.mkstemp(prefix=".auedit-", dir=target.parent)
    except OSError as exc:
        raise describe_os_error(out, exc) from exc
    os.close(fd)
    os.unlink(name)


def check_outputs(outputs: Iterable[PathLike | None], inputs: Iterable[PathLike | None]) -> None:
    """Refuse (OutputError) an output that is a folder, in a missing folder, not writable, one
    of the inputs, or named twice. None entries (options not given) are ignored; inputs that
    do not exist (camera indices) cannot be overwritten and are ignored too."""
    outs = [Path(o) for o in outputs if o]
    ins = [Path(i) for i in inputs if i and Path(i).exists()]
    for k, out in enumerate(outs):
        _check_writable(out)
        _try_folder(out)
        for inp in ins:
            if _same(out, inp):
                alias = "" if str(inp) == str(out) else f" ({inp})"
                raise OutputError(f"cannot write {out}: it is an input{alias}; refusing to "
                                  "overwrite it (choose another output)")
        for other in outs[:k]:
            if _same(out, other):
                raise OutputError(f"cannot write {out} twice: give different outputs")


def check_suffix(out: PathLike, allowed: tuple[str, ...], what: str) -> None:
    """OutputError for an output whose name says another format than the one written (CSV
    text in `x.xlsx`, JSON in `x.csv`), before any work: "`what` end in ..."."""
    suffix = Path(out).suffix.lower()
    if suffix in allowed:
        return
    got = f", not {suffix}" if suffix else ""
    raise OutputError(f"cannot write {out}: {what} end in {' or '.join(allowed)}{got} "
                      f"(use {Path(out).with_suffix(allowed[0])})")


def check_image_output(path: PathLike) -> None:
    """Refuse an image output whose type OpenCV cannot write (before the work, not after)."""
    import cv2

    if not cv2.haveImageWriter(str(path)):
        raise OutputError(f"cannot write {path}: unknown image type (use .png or .jpg)")


def write_image(path: PathLike, rgb: np.ndarray, metadata: PhotoMetadata | None = None,
                ) -> None:
    """An RGB uint8 image to `path` (its type from the suffix), with a readable error; with
    the `metadata` of the photo it was made from (colour profile, EXIF) where the type
    carries them. An existing file is replaced only by a whole new one."""
    import cv2

    _check_writable(Path(path))  # the likely reasons, named
    with replacing(path) as tmp:
        if metadata and write_with_metadata(tmp, rgb, metadata):
            return
        try:
            ok, data = cv2.imencode(tmp.suffix, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        except cv2.error:
            ok = False
        if not ok:
            raise OutputError(f"cannot write {path}: unknown image type (use .png or .jpg)")
        data.tofile(str(tmp))  # numpy's writer: also for non-ASCII paths on Windows


def describe_os_error(path: PathLike, exc: OSError) -> OutputError:
    """A readable OutputError for an OSError met while writing `path`."""
    p = Path(path)
    if exc.errno == errno.ENOENT:  # a folder that is there takes no new files (/proc)
        why = (f"the folder {p.parent} does not exist" if not p.parent.is_dir()
               else f"the folder {p.parent} takes no new files")
    elif exc.errno == errno.EISDIR:
        why = "it is a folder (give a file name)"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "no permission"
    elif exc.errno == errno.EROFS:
        why = "the disk is read-only"
    elif exc.errno in (errno.EEXIST, errno.ENOTDIR):
        why = "a file is in the way of a folder"
    elif exc.errno == errno.ENOSPC or (exc.errno is None and "requested and" in str(exc)):
        why = "the disk is full"  # numpy's writer reports a short write without an errno
    else:
        why = exc.strerror or str(exc)
    return OutputError(f"cannot write {p}: {why}")


def write_text(path: PathLike, text: str) -> None:
    """`Path.write_text` (UTF-8) with a readable error; an existing file is replaced only by
    a whole new one."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextmanager
def replacing(path: PathLike) -> Iterator[Path]:
    """A temporary path beside `path` (with its suffix, for writers that go by it) to write
    in the block; renamed over `path` when the block ends, removed if it raises. An OSError
    becomes a readable OutputError naming `path`. A link is followed (its target is
    replaced); where `path` is not a regular file (/dev/stdout, a pipe) the block writes it
    directly."""
    given = Path(path)
    if given.exists() and not given.is_file():
        try:
            yield given
        except OSError as exc:
            raise describe_os_error(path, exc) from exc
        return
    target = Path(os.path.realpath(given))
    try:
        fd, tmp = _temporary_beside(target)
        os.close(fd)
    except OSError as exc:
        raise describe_os_error(path, exc) from exc
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise describe_os_error(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)  # gone after the rename; left behind otherwise


def _new_file_mode(path: Path) -> int:
    """The permissions the file gets: an existing file's, else the default for a new file."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _temporary_beside(target: Path) -> tuple[int, Path]:
    """A new hidden file in `target`'s folder (so a rename replaces `target` at once), with
    `target`'s suffix (for writers that go by it) and the permissions `target` gets; its open
    descriptor and path."""
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                dir=target.parent)
    try:
        os.chmod(name, _new_file_mode(target))
    except OSError:
        os.close(fd)
        os.unlink(name)
        raise
    return fd, Path(name)


class PendingFile:
    """A text file written under a temporary name beside `path` (created by the first `open`)
    and renamed over `path` by `finish(keep=True)`; `finish(keep=False)` deletes it. A link is
    followed (its target is replaced); where `path` is not a regular file (/dev/stdout, a
    pipe) it is written directly."""

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        self._target = Path(os.path.realpath(self.path))
        self._tmp: Path | None = None
        self._file: TextIO | None = None

    def open(self) -> TextIO:
        if self._file is None:
            try:
                self._file = (self._open_direct() if self.path.exists()
                              and not self.path.is_file() else self._open_temporary())
            except OSError as exc:
                raise describe_os_error(self.path, exc) from exc
        return self._file

    def _open_direct(self) -> TextIO:
        return open(self.path, "w", newline="", encoding="utf-8")

    def _open_temporary(self) -> TextIO:
        fd, self._tmp = _temporary_beside(self._target)
        return os.fdopen(fd, "w", newline="", encoding="utf-8")

    def finish(self, keep: bool) -> bool:
        """Rename the written file over `path` (keep) or delete it; whether `path` was written."""
        if self._file is None:
            return False
        file, tmp, self._file, self._tmp = self._file, self._tmp, None, None
        try:
            file.close()
            if tmp is None:  # written directly
                return True
            if keep:
                os.replace(tmp, self._target)
                return True
        except OSError as exc:
            raise describe_os_error(self.path, exc) from exc
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)  # gone after a rename; left behind otherwise
        return False
