"""Reading and writing a source file at the command line without ever damaging it.

A file is decoded strictly in the encoding it declares (PEP 263 for Python, a UTF-8 BOM, else UTF-8) and
refused when it is not valid in it, rather than rewritten with replacement characters. It is written back
in the same encoding and newline style, atomically (a temporary file beside the real one, then a rename),
keeping its mode and writing through symlinks to the file they point at; and not at all when it changed on
disk since it was read.
"""

from __future__ import annotations

import codecs
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceFileError(Exception):
    """The file cannot be used or written as asked; ``str()`` says why and what to do. Nothing was written."""


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as the user named it
    real: Path  # the file itself, symlinks resolved: what is read and replaced
    raw: bytes
    text: str
    encoding: str


def read_source(path: Path, *, python: bool) -> SourceFile:
    """The file's text, decoded strictly; ``SourceFileError`` for a missing, binary or mis-encoded file."""
    real = Path(os.path.realpath(path))
    try:
        raw = real.read_bytes()
    except IsADirectoryError:
        raise SourceFileError(f"{path} is a directory: name a file.") from None
    except OSError as exc:
        raise SourceFileError(f"cannot read {path}: {exc.strerror or exc}.") from None
    if b"\0" in raw[:65536]:
        raise SourceFileError(f"{path} looks binary (it holds NUL bytes): gptls does not send it.")
    encoding = _declared_encoding(path, raw, python=python)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            f"{path} is not valid {encoding} (byte {exc.start} cannot be decoded): gptls does not read or "
            "rewrite it. Save it in the encoding it declares (or declare the one it uses) and try again."
        ) from None
    return SourceFile(path, real, raw, text, encoding)


def write_source(source: SourceFile, new_text: str) -> None:
    """Replace the file's contents with ``new_text``; ``SourceFileError`` (and the file untouched) when it
    changed on disk since it was read or the text cannot be written in the file's encoding."""
    try:
        data = new_text.encode(source.encoding)
    except UnicodeEncodeError as exc:
        raise SourceFileError(
            f"the result holds {exc.object[exc.start : exc.end]!r}, which {source.encoding} (the file's "
            f"encoding) cannot hold: {source.path} was not written."
        ) from None
    try:
        now = source.real.read_bytes()
        mode = source.real.stat().st_mode & 0o7777
    except OSError as exc:
        raise SourceFileError(f"cannot read {source.path} again before writing: {exc.strerror or exc}.") from None
    if now != source.raw:
        raise SourceFileError(
            f"{source.path} changed on disk while the model worked on it, so the result was not written. "
            "Run the command again."
        )
    handle, tmp = tempfile.mkstemp(dir=source.real.parent, prefix=f".{source.real.name}.", suffix=".gptls-tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, source.real)
    except BaseException as exc:  # Ctrl-C included: the file is either old or new, and no temp file stays
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SourceFileError(f"cannot write {source.path}: {exc.strerror or exc}; it is unchanged.") from None
        raise


def _declared_encoding(path: Path, raw: bytes, *, python: bool) -> str:
    if python:
        try:
            encoding, _lines = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as exc:
            raise SourceFileError(f"{path}: {exc.msg}; gptls does not read or rewrite it.") from None
        return encoding
    return "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
