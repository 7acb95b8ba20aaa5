"""Which file and definition a name in a file refers to: Python's absolute (``src/`` layouts too) and relative
imports, ``import a.b as c`` then ``c.f``, ``from . import mod`` then ``mod.f``, re-exports through
``__init__``; TypeScript/JavaScript relative imports and ``export ... from``; Go's same-package files."""

from __future__ import annotations

import os
from dataclasses import dataclass

from gptls.index.summary import FileSummary, Import, Symbol
from gptls.index.workspace import WorkspaceIndex

MAX_HOPS = 4  # re-exports followed at most this deep


@dataclass(frozen=True)
class Found:
    path: str
    symbol: Symbol
    module: str = ""  # set when the name is a module (``import a.b as c``, ``from . import mod``)


class Resolver:
    """Answers for one index; the Python module map is rebuilt when the index's files change."""

    def __init__(self, index: WorkspaceIndex) -> None:
        self.index = index
        self._modules: dict[str, str] = {}
        self._names: dict[str, list[str]] = {}
        self._in_files: dict[str, tuple[FileSummary, int, dict[str, Found]]] = {}
        self._paths_seen = -1

    # -- Python modules ------------------------------------------------------------------------------------

    @classmethod
    def of(cls, index: WorkspaceIndex) -> Resolver:
        """The index's one resolver (its module map is kept, and rebuilt only when files come or go)."""
        found = index.memo.get("resolver")
        if not isinstance(found, Resolver):
            found = index.memo["resolver"] = cls(index)
        return found

    def modules(self) -> dict[str, str]:
        """Dotted module name -> file. Built whole, then swapped in: the server builds it in a thread once the
        index is done (a 20,000-file map takes a few hundred ms), while prompts may read the previous one."""
        version = self.index.version
        if self._paths_seen != version:
            modules: dict[str, str] = {}
            for path in self.index.all_paths():
                for name in self.module_names(path):
                    modules.setdefault(name, path)
            self._modules, self._paths_seen = modules, version
        return self._modules

    def module_names(self, path: str) -> list[str]:
        """The dotted names ``path`` is imported by: from each root, and from a ``src/`` under it."""
        known = self._names.get(path)
        if known is None:
            known = self._names[path] = self._module_names(path)
        return known

    def _module_names(self, path: str) -> list[str]:
        if not path.endswith((".py", ".pyi")):
            return []
        names = []
        for root in self.index.roots:
            for base in (os.path.join(root, "src"), root):
                if path.startswith(base.rstrip(os.sep) + os.sep):
                    parts = os.path.relpath(path, base).split(os.sep)
                    parts[-1] = parts[-1].rsplit(".", 1)[0]
                    if parts[-1] == "__init__":
                        parts = parts[:-1]
                    if parts and all(p.isidentifier() for p in parts):
                        names.append(".".join(parts))
        return names

    def module_path(self, module: str) -> str | None:
        return self.modules().get(module) or self._not_yet_indexed(module)

    def _not_yet_indexed(self, module: str) -> str | None:
        """While the index is being built: the module's file where Python would find it under a root (or its
        ``src/``), summarized on demand."""
        if self.index.built or not module or not all(part.isidentifier() for part in module.split(".")):
            return None
        parts = module.split(".")
        for root in self.index.roots:
            for base in (os.path.join(root, "src"), root):
                for candidate in (os.path.join(base, *parts) + ".py", os.path.join(base, *parts, "__init__.py")):
                    if self.index.on_demand(candidate) is not None or candidate in self.index.files:
                        return candidate
        return None

    def import_target(self, path: str, imp: Import) -> str | None:
        """The dotted module an import in ``path`` names (relative ones resolved), when it is the project's."""
        if imp.level == 0:
            return imp.module
        names = self.module_names(path)
        if not names:
            return None
        package = names[0].split(".")
        if not path.endswith("__init__.py"):
            package = package[:-1]
        if imp.level > 1:
            package = package[: len(package) - (imp.level - 1)]
        return ".".join([*package, imp.module] if imp.module else package)

    # -- names ---------------------------------------------------------------------------------------------

    def in_module(self, module: str, name: str, hops: int = 0) -> Found | None:
        """``name`` as defined in (or re-exported by) ``module``, or the submodule ``module.name``."""
        path = self.module_path(module)
        summary = self.index.summary(path) if path else None
        if summary is not None and path is not None:
            found = self._in_file(path, summary, name, hops)
            if found is not None:
                return found
        submodule = self.module_path(f"{module}.{name}")
        if submodule is not None:
            return Found(submodule, Symbol(name, "module", ""), f"{module}.{name}")
        return None

    def _in_file(self, path: str, summary: FileSummary, name: str, hops: int) -> Found | None:
        symbol = summary.get(name)
        if symbol is not None:
            return Found(path, symbol)
        if hops >= MAX_HOPS:
            return None
        for imp in summary.imports:
            for original, alias in imp.names:
                if alias == name:
                    return self.imported(path, imp, original, hops + 1)
            if imp.star and summary.language == "python":
                target = self.import_target(path, imp)
                found = self.in_module(target, name, hops + 1) if target else None
                if found is not None:
                    return found
            if imp.star and summary.language != "python":
                found = self._script_module(path, imp.module, name, hops + 1)
                if found is not None:
                    return found
        return None

    def imported(self, path: str, imp: Import, original: str, hops: int = 0) -> Found | None:
        """What ``from <imp.module> import <original>`` in ``path`` brings."""
        summary = self.index.summary(path)
        if summary is not None and summary.language != "python":
            return self._script_module(path, imp.module, original, hops)
        target = self.import_target(path, imp)
        return self.in_module(target, original, hops) if target else None

    def _script_module(self, path: str, specifier: str, name: str, hops: int) -> Found | None:
        """A TS/JS relative import: ``./x`` is ``x.ts``, ``x.tsx``, ``x.js``… or ``x/index.*``."""
        if not specifier.startswith("."):
            return None
        base = os.path.normpath(os.path.join(os.path.dirname(path), specifier))
        for candidate in (base, *(base + s for s in (".ts", ".tsx", ".js", ".jsx", ".mjs"))):
            for option in (candidate, os.path.join(candidate, "index.ts"), os.path.join(candidate, "index.js")):
                summary = self.index.summary(option)
                if summary is not None:
                    return self._in_file(option, summary, name, hops)
        return None

    def names_in_file(self, path: str, summary: FileSummary) -> dict[str, Found]:
        """Every project definition ``path`` can name directly: its own, and those it imports (one level).
        A name bound by ``import a.b as c`` or ``from . import mod`` maps to that module's file. Remembered per
        summary while no file comes or goes (a copy is returned: callers may add to it)."""
        memo = self._in_files.get(path)
        if memo is not None and memo[0] is summary and memo[1] == self.index.version:
            return dict(memo[2])
        found = self._names_in_file(path, summary)
        self._in_files[path] = (summary, self.index.version, found)
        return dict(found)

    def _names_in_file(self, path: str, summary: FileSummary) -> dict[str, Found]:
        found: dict[str, Found] = {name: Found(path, s) for name, s in summary.symbols.items()}
        for imp in summary.imports:
            if summary.language == "python" and not imp.names and not imp.star:
                module = imp.module if imp.alias else imp.module.split(".")[0]
                bound = imp.alias or module
                target = self.module_path(module)
                if target is not None:
                    found.setdefault(bound, Found(target, Symbol(bound, "module", ""), module))
                continue
            for original, alias in imp.names:
                hit = self.imported(path, imp, original)
                if hit is not None:
                    found[alias] = hit
        if summary.language == "go":
            for other in self.same_package(path, summary):
                other_summary = self.index.summary(other)
                if other_summary is not None:
                    for name, symbol in other_summary.symbols.items():
                        found.setdefault(name, Found(other, symbol))
        return found

    def same_package(self, path: str, summary: FileSummary) -> list[str]:
        folder = os.path.dirname(path)
        return [
            p
            for p in self.index.all_paths()
            if p != path and os.path.dirname(p) == folder and p.endswith(".go") and not p.endswith("_test.go")
        ]

    def attribute(self, owner: Found, attribute: str) -> Found | None:
        """``c.f`` where ``c`` names a module (``f`` in it, or its submodule) or a class (its member)."""
        if owner.module:
            return self.in_module(owner.module, attribute, 1)
        for member in owner.symbol.members:
            if member.name == attribute:
                return Found(owner.path, member)
        return None

    def bases(self, found: Found) -> list[Found]:
        """The project classes ``found`` (a class) inherits from, across files."""
        summary = self.index.summary(found.path)
        if summary is None:
            return []
        names = self.names_in_file(found.path, summary)
        out = []
        for base in found.symbol.bases:
            head, _, rest = base.partition(".")
            hit = names.get(head)
            if hit is not None and rest and hit.symbol.kind == "module":
                hit = self.attribute(hit, rest.split(".")[-1])
            if hit is not None and hit.symbol.kind == "class" and hit.symbol is not found.symbol:
                out.append(hit)
        return out
