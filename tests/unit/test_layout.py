"""The package reads like the architecture: dependencies point one way, and only the editor face speaks LSP."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "gptls"
# The final conversion of edits and positions to LSP types is the one place below lsp/ that may name them.
LSP_ALLOWED = {"gptls.text.edits", "gptls.text.positions"}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of gptls this file imports, anywhere but under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for n in node.body for child in ast.walk(n))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def test_there_are_no_import_cycles() -> None:
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if nxt.startswith(node + "."):
                continue  # a package re-exporting its own module is not a cycle
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def test_no_two_modules_share_a_file_name() -> None:
    # A name says what a module owns: two ``progress.py`` in different places say it of neither.
    seen: dict[str, str] = {}
    shared = []
    for name, path in sorted(modules().items()):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if path.name in seen:
            shared.append(f"{seen[path.name]} and {name}")
        seen[path.name] = name
    assert shared == []


def test_only_the_editor_face_speaks_lsp() -> None:
    offenders = []
    for name, path in modules().items():
        if name.startswith("gptls.lsp") or name in LSP_ALLOWED:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
            if any(n.split(".")[0] in ("pygls", "lsprotocol") for n in names):
                offenders.append(name)
    assert offenders == []


def test_the_pipeline_reports_through_an_interface_not_the_editor() -> None:
    edges = graph()
    below = [n for n in edges if not n.startswith(("gptls.lsp", "gptls.cli")) and n != "gptls.__main__"]
    climbing = {n: sorted(e for e in edges[n] if e.startswith(("gptls.lsp", "gptls.cli"))) for n in below}
    assert {n: e for n, e in climbing.items() if e} == {}


def test_the_extension_uses_the_servers_protocol_names() -> None:
    import re

    from gptls.lsp import protocol

    source = (Path(__file__).resolve().parents[2] / "client-vscode" / "src" / "protocol.ts").read_text()
    theirs = dict(re.findall(r'export const (\w+) = "([^"]+)";', source))
    ours = {
        name: getattr(protocol, name)
        for name in (
            "RUN_COMMAND",
            "USAGE_COMMAND",
            "CHECK_COMMAND",
            "SHOW_LAST_REQUEST_COMMAND",
            "OPEN_FILE_COMMAND",
            "STATUS_NOTIFICATION",
            "REVIEW_DISCARDED",
            "NO_API_KEY",
            "REVIEW_NOTE_PREFIX",
            "INSTRUCT_ACTION",
            "ASK_COMMAND",
            "REFINE_COMMAND",
            "ANSWER_NOTIFICATION",
        )
    }
    assert theirs == ours


def _interface_keys(source: str, name: str) -> set[str]:
    import re

    body = re.search(rf"export interface {name} \{{(.*?)\n\}}", source, re.S)
    assert body is not None, name
    return set(re.findall(r"^  (\w+)\??:", body.group(1), re.M))


def test_the_extension_reads_the_shapes_the_server_sends() -> None:
    from gptls.errors import GptlsError
    from gptls.lsp import protocol
    from gptls.openai.api_errors import MissingApiKeyError

    source = (Path(__file__).resolve().parents[2] / "client-vscode" / "src" / "protocol.ts").read_text()
    assert _interface_keys(source, "RunActionArguments") == set(protocol.RunActionArguments.__annotations__)
    status = ast.parse((PACKAGE / "lsp" / "server.py").read_text())
    sent = next(
        node.args[1]
        for node in ast.walk(status)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "notify"
    )
    assert isinstance(sent, ast.Dict)
    assert {k.value for k in sent.keys if isinstance(k, ast.Constant)} == _interface_keys(source, "StatusParams")
    assert MissingApiKeyError.kind == protocol.NO_API_KEY and GptlsError.kind != protocol.NO_API_KEY


def test_no_server_command_shadows_a_command_the_extension_contributes() -> None:
    # vscode-languageclient registers a VS Code command for each of the server's commands: one named like the
    # extension's own makes the client fail to start ("command ... already exists").
    import json

    from gptls.lsp import protocol

    package = json.loads((Path(__file__).resolve().parents[2] / "client-vscode" / "package.json").read_text())
    contributed = {c["command"] for c in package["contributes"]["commands"]}
    server = {
        protocol.RUN_COMMAND,
        protocol.USAGE_COMMAND,
        protocol.CHECK_COMMAND,
        protocol.SHOW_LAST_REQUEST_COMMAND,
        protocol.ASK_COMMAND,
        protocol.REFINE_COMMAND,
    }
    assert not contributed & server
