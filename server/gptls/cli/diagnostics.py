"""Problems for ``gptls run fix``: given on the command line (``--diagnostic MESSAGE``) or read from a linter's
JSON output (``--diagnostics FILE``): LSP diagnostics (a list, ``{"diagnostics": [...]}`` or
``publishDiagnostics`` params), ruff's ``--output-format=json`` and SARIF (``ruff --output-format=sarif``,
eslint, semgrep...). Only the problems of the file and lines asked about are kept."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

Diagnostic = dict[str, Any]  # {"message", "code", "source", "line" (1-based)}


class DiagnosticsError(ValueError):
    """The file cannot be read as diagnostics; nothing is sent."""


def from_messages(messages: list[str], line: int) -> list[Diagnostic]:
    return [{"message": m, "code": None, "source": None, "line": line} for m in messages if m.strip()]


def read_diagnostics(file: str, path: Path, first: int, last: int) -> list[Diagnostic]:
    """The problems in ``file`` (a linter's JSON) for ``path``, lines ``first``..``last`` (1-based)."""
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiagnosticsError(f"cannot read --diagnostics {file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DiagnosticsError(f"--diagnostics {file} is not JSON ({exc})") from None
    found = []
    for where, diagnostic in _entries(data):
        if where is not None and not _same_file(where, path):
            continue
        if first <= diagnostic["line"] <= last:
            found.append(diagnostic)
    return found


def _entries(data: Any) -> Iterator[tuple[str | None, Diagnostic]]:
    if isinstance(data, dict) and isinstance(data.get("runs"), list):  # SARIF
        for run in data["runs"]:
            tool = (((run or {}).get("tool") or {}).get("driver") or {}).get("name")
            for result in (run or {}).get("results") or []:
                for location in result.get("locations") or [{}]:
                    physical = (location or {}).get("physicalLocation") or {}
                    region = physical.get("region") or {}
                    uri = (physical.get("artifactLocation") or {}).get("uri")
                    text = (result.get("message") or {}).get("text", "")
                    line = region.get("startLine")
                    if isinstance(line, int) and text:
                        yield uri, {"message": text, "code": result.get("ruleId"), "source": tool, "line": line}
        return
    where = None
    if isinstance(data, dict):  # {"diagnostics": [...]} or publishDiagnostics params
        where = data.get("uri")
        data = data.get("diagnostics")
    if not isinstance(data, list):
        raise DiagnosticsError("--diagnostics holds no list of diagnostics (LSP, ruff JSON or SARIF)")
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("message"), str):
            continue
        if isinstance(item.get("location"), dict):  # ruff
            line = item["location"].get("row")
            if isinstance(line, int):
                yield (
                    item.get("filename"),
                    {
                        "message": item["message"],
                        "code": item.get("code"),
                        "source": "ruff",
                        "line": line,
                    },
                )
        elif isinstance(item.get("range"), dict):  # LSP: 0-based lines
            line = (item["range"].get("start") or {}).get("line")
            if isinstance(line, int):
                yield (
                    where,
                    {
                        "message": item["message"],
                        "code": item.get("code"),
                        "source": item.get("source"),
                        "line": line + 1,
                    },
                )


def _same_file(where: str, path: Path) -> bool:
    named = unquote(urlparse(where).path) if where.startswith("file:") else where
    if os.path.isabs(named):
        return os.path.realpath(named) == os.path.realpath(path)
    return os.path.realpath(named) == os.path.realpath(path) or Path(named).as_posix().endswith(path.name)
