"""Does the model see what a change needs? Context recall on real projects, with baselines, and the index's cost.

``python -m bench.context`` fetches wheels of well-known pure-Python projects from the package registry into a
cache (``$XDG_CACHE_HOME/gptls-bench``; nothing is committed), picks functions at random (seeded), replaces each
body with ``...`` and builds the request exactly as *Generate function* does (``Pipeline.request``: nothing is
sent anywhere). For each case: the project names the real body uses (defined in the same file, or in other files
of the project), and whether each is in the request's context; the same for the baselines, in the same run:
gptls' old same-file context, "signatures one level deep" (the file's own signatures, then those of every project
name it imports, cut to the same budget) and the whole file (no budget). Then the index's build time and memory
on a 5,000-file workspace (real files, copied), context assembly time, and code-action latency over stdio while
the index builds against idle. Prints one table.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from gptls.actions import BY_ID
from gptls.config import Settings
from gptls.context import build_context
from gptls.index import WorkspaceIndex, project_context
from gptls.index.resolve import Resolver
from gptls.pipeline import Pipeline, job_at
from gptls.text import Document, Pos, Span

PROJECTS = ("click==8.1.7", "httpx==0.28.1", "rich==13.9.4", "jinja2==3.1.4")
CASES_PER_PROJECT = 60
SEED = 20261202
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "gptls-bench")


def fetch(requirement: str) -> Path:
    """The project's wheel, unpacked into the cache (downloaded once)."""
    name = requirement.split("==", maxsplit=1)[0]
    target = cache_dir() / requirement.replace("==", "-")
    if not target.exists():
        wheels = cache_dir() / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-d",
                str(wheels),
                requirement,
            ],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        wheel = next(w for w in wheels.glob("*.whl") if w.name.lower().startswith(name.lower().replace("-", "_")))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return target


@dataclass
class Case:
    path: str
    function: str
    stub: str  # the file with this function's body replaced by ...
    line: int  # the def line in the stub (0-based)
    same: dict[str, str]  # project names the real body uses, defined in the file -> their definition's line
    cross: dict[str, str]  # ... defined in other files of the project


@dataclass
class Score:
    same_hit: int = 0
    same_all: int = 0
    cross_hit: int = 0
    cross_all: int = 0
    chars: list[int] = field(default_factory=list)

    def add(self, case: Case, context: str) -> None:
        """A name counts when its definition is quoted (its signature's first line), not when it is only
        mentioned (an import line names it, but says nothing about how to call it)."""
        self.same_all += len(case.same)
        self.cross_all += len(case.cross)
        self.same_hit += sum(1 for line in case.same.values() if line in context)
        self.cross_hit += sum(1 for line in case.cross.values() if line in context)
        self.chars.append(len(context))


def cases(root: Path, index: WorkspaceIndex, count: int, rng: random.Random) -> list[Case]:
    resolver = Resolver.of(index)
    found: list[Case] = []
    paths = [p for p in index.all_paths() if p.endswith(".py")]
    candidates: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for path in paths:
        try:
            tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and len(node.body) >= 3:
                candidates.append((path, node))
    rng.shuffle(candidates)
    for path, node in candidates:
        if len(found) >= count:
            break
        text = Path(path).read_text(encoding="utf-8")
        summary = index.summary(path)
        if summary is None:
            continue
        names = resolver.names_in_file(path, summary)
        body = node.body[1:] if _docstring(node.body[0]) else node.body
        used: set[str] = set()
        for statement in body:
            for inner in ast.walk(statement):
                if isinstance(inner, ast.Name):
                    used.add(inner.id)
                elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                    hit = names.get(inner.value.id)
                    if hit is not None and hit.module:  # mod.f: f, defined in the module's file
                        found_attr = resolver.attribute(hit, inner.attr)
                        if found_attr is not None:
                            used.add(inner.attr)
                            names.setdefault(inner.attr, found_attr)
        same = {
            n: _first_line(names[n].symbol.signature)
            for n in used
            if n in names and names[n].path == path and n != node.name and names[n].symbol.kind != "module"
        }
        cross = {
            n: _first_line(names[n].symbol.signature)
            for n in used
            if n in names and names[n].path != path and names[n].symbol.kind != "module"
        }
        if not same and not cross:
            continue
        lines = text.split("\n")
        first, last = body[0].lineno - 1, (body[-1].end_lineno or body[-1].lineno) - 1
        indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
        stub = "\n".join([*lines[:first], f"{indent}...", *lines[last + 1 :]])
        found.append(Case(path, node.name, stub, node.lineno - 1, same, cross))
    return found


def _first_line(signature: str) -> str:
    return signature.split("\n", 1)[0].strip()


def _docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def one_level(doc: Document, case: Case, index: WorkspaceIndex, budget: int) -> str:
    """The plain rule: the file's own signatures, then the signatures of every project name it imports."""
    resolver = Resolver.of(index)
    summary = index.summary(case.path)
    if summary is None:
        return ""
    out, used = [], 0
    found = resolver.names_in_file(case.path, summary)
    ordered = sorted(found.values(), key=lambda f: (f.path != case.path, f.path, f.symbol.line))
    for hit in ordered:
        if hit.symbol.kind == "module":
            continue
        text = hit.symbol.signature
        if used + len(text) + 1 > budget:
            break
        out.append(text)
        used += len(text) + 1
    return "\n".join(out)


def recall(projects: list[Path], count: int, budget: int) -> tuple[dict[str, Score], int, int, list[float]]:
    rng = random.Random(SEED)
    scores = {
        name: Score()
        for name in ("gptls (index)", "gptls before (same file)", "signatures one level deep", "whole file")
    }
    offered = total = 0
    timings: list[float] = []
    settings = replace(Settings(), context_budget=budget)
    generate = BY_ID["generate"]
    for root in projects:
        index = WorkspaceIndex([str(root)], settings.exclude)
        index.build_now()
        for case in cases(root, index, count, rng):
            total += 1
            doc = Document(case.stub, "python", Path(case.path).as_uri())
            index.opened = lambda path, case=case: case.stub if path == case.path else None
            job = job_at(generate, doc, Span(Pos(case.line, 0), Pos(case.line, 0)))
            if job is None:
                continue
            offered += 1
            pipeline = Pipeline()
            pipeline.index = index
            started = time.perf_counter()
            quoted = project_context(doc, job.target, budget, index)
            timings.append((time.perf_counter() - started) * 1000)
            request, _key = pipeline.request(job, settings)
            sent = str(request.input).split("Target (lines")[0]
            scores["gptls (index)"].add(case, sent)
            assert quoted.text in sent
            scores["gptls before (same file)"].add(case, build_context(doc, job.target, budget))
            scores["signatures one level deep"].add(case, one_level(doc, case, index, budget))
            whole = "\n".join(
                line
                for i, line in enumerate(case.stub.split("\n"))
                if not (job.target.anchor.start.line <= i <= job.target.anchor.end.line)
            )
            scores["whole file"].add(case, whole)
        index.opened = lambda _path: None
    return scores, offered, total, timings


def big_workspace(projects: list[Path], files: int) -> Path:
    """At least ``files`` real Python files: the projects copied side by side as many times as needed."""
    root = cache_dir() / f"workspace-{files}"
    if root.exists():
        return root
    copies = 0
    count = 0
    while count < files:
        for project in projects:
            target = root / f"copy{copies}" / project.name
            shutil.copytree(project, target)
            count += sum(1 for _ in target.rglob("*.py"))
        copies += 1
    return root


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def build_cost(root: Path) -> tuple[int, float, float]:
    before = rss_mib()
    index = WorkspaceIndex([str(root)], Settings().exclude)
    await index.build()
    return len(index.files), index.build_seconds, rss_mib() - before


async def code_actions_while_indexing(root: Path, samples: int) -> tuple[float, float]:
    """p95 latency (ms) of code actions over stdio while the index builds, and once it is built."""
    from lsprotocol import types as lsp
    from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
    from tests.double.server import ResponsesDouble, child_env

    double = ResponsesDouble().start()
    try:
        env = child_env(double.env())
        client = await ClientServerConfig(server_command=[sys.executable, "-m", "gptls"], server_env=env).start()
        assert isinstance(client, LanguageClient)
        await client.initialize_session(
            lsp.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri())
        )
        text = "def f(x):\n    ...\n"
        uri = (root / "bench_target.py").as_uri()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )

        async def one() -> float:
            started = time.perf_counter()
            await client.text_document_code_action_async(
                lsp.CodeActionParams(
                    text_document=lsp.TextDocumentIdentifier(uri=uri),
                    range=lsp.Range(start=lsp.Position(line=1, character=4), end=lsp.Position(line=1, character=4)),
                    context=lsp.CodeActionContext(diagnostics=[]),
                )
            )
            return (time.perf_counter() - started) * 1000

        building: list[float] = []
        while not any("indexed " in m.message for m in client.log_messages) and len(building) < samples * 20:
            building.append(await one())
        idle = [await one() for _ in range(max(samples, len(building)))]
        await client.shutdown_session()
        await client.stop()
    finally:
        double.stop()
    return p95(building) if building else float("nan"), p95(idle)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.context", description=textwrap.dedent(__doc__ or ""))
    parser.add_argument("--quick", action="store_true", help="one project, few cases, a 500-file workspace")
    args = parser.parse_args(argv)
    projects = [fetch(p) for p in (PROJECTS[:1] if args.quick else PROJECTS)]
    budget = Settings().context_budget
    scores, offered, total, timings = recall(projects, 8 if args.quick else CASES_PER_PROJECT, budget)
    files, seconds, added = asyncio.run(build_cost(big_workspace(projects, 500 if args.quick else 5000)))
    during, idle = asyncio.run(code_actions_while_indexing(big_workspace(projects, 500 if args.quick else 5000), 20))
    print(
        f"\nContext recall: {total} functions from {', '.join(PROJECTS[: len(projects)])}; budget {budget} characters\n"
    )
    print(f"{'context':<28} {'same-file':>10} {'cross-file':>11} {'mean chars':>11}")
    for name, score in scores.items():
        same = score.same_hit / max(score.same_all, 1)
        cross = score.cross_hit / max(score.cross_all, 1)
        print(f"{name:<28} {same:>10.0%} {cross:>11.0%} {statistics.mean(score.chars or [0]):>11.0f}")
    print(f"\nGenerate offered on {offered} of {total} stubs")
    print(f"context assembly: p95 {p95(timings):.1f} ms (target 20 ms)")
    print(f"index build: {files} files in {seconds:.1f} s (target 10 s), +{added:.0f} MiB RSS (target 100 MiB)")
    print(f"code action p95 while indexing {during:.1f} ms, idle {idle:.1f} ms (target within 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
