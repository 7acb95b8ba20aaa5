"""Where the cross-file needs gptls misses are, on the tuning projects (``python -m bench.misses``).

For each need the context at the budget leaves out: is it a module-level definition, or a member of a class
the context does not quote, quotes as a bare ``class`` line, or quotes with other members; and would the
context quote it with no budget at all (the budget cut it) or never (the ranking does not reach it). The
needs come from jedi (``bench/needs.py``), as in ``bench.context``; the class that owns a need is read from
the index. Drawn from the tuning projects only: the held-out projects' misses are not for reading.
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from bench.context import TUNING, fetch, gptls_context, stub_saved
from bench.needs import Need, by_file, draw
from gptls.config import Settings
from gptls.index import WorkspaceIndex
from gptls.index.summary import Symbol

PLACES = ("module level", "class not quoted", "class as a bare line", "class with other members")
UNLIMITED = 10**7


def owner(need: Need, index: WorkspaceIndex) -> Symbol | None:
    """The class of ``need``'s file that has a member so named, the nearest above its line."""
    summary = index.files.get(need.path)
    if summary is None:
        return None
    classes = [s for s in summary.symbols.values() if s.kind == "class" and any(m.name == need.name for m in s.members)]
    above = [s for s in classes if s.line < need.line] or classes
    return max(above, key=lambda s: s.line, default=None)


def place(need: Need, quoted_text: Mapping[str, str], index: WorkspaceIndex) -> str:
    """Where a missed need is, one of PLACES (``quoted_text``: path -> the text the context quotes from it)."""
    cls = owner(need, index)
    if cls is None:
        return PLACES[0]
    text = quoted_text.get(need.path, "")
    quoted = re.search(rf"(?m)^class {re.escape(cls.name)}\b.*(?:\n|$)((?:[ \t]+\S.*(?:\n|$))*)", text)
    if quoted is None:
        return PLACES[1]
    return PLACES[3] if quoted.group(1).strip() else PLACES[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.misses", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=30, help="functions per project")
    args = parser.parse_args(argv)
    settings = Settings()
    unlimited = replace(settings, context_budget=UNLIMITED)
    rng = random.Random(args.seed)
    tally: Counter[tuple[str, bool]] = Counter()
    needs = 0
    for requirement in TUNING:
        name = requirement.split("==")[0]
        root = fetch(requirement)
        index = WorkspaceIndex([str(root)], settings.exclude)
        index.build_now()
        for case in draw(name, root, args.count, rng):
            with stub_saved(index, case):
                at_budget = gptls_context(case, index, settings)
                if at_budget is None:
                    continue  # Generate is not offered on this stub
                quoted = by_file(at_budget[0], root, case.path)
                missed = [n for n in case.cross if not n.quoted_in(quoted)]
                whole = gptls_context(case, index, unlimited) if missed else None
            needs += len(case.cross)
            unlimited_quoted = by_file(whole[0], root, case.path) if whole is not None else {}
            for need in missed:
                tally[(place(need, quoted, index), need.quoted_in(unlimited_quoted))] += 1
    missed_total = sum(tally.values())
    print(f"seed {args.seed}; tuning projects, {args.count} functions each; budget {settings.context_budget:,}")
    print(f"cross-file needs {needs}, missed {missed_total}")
    print(f"{'where the need is':<28} {'cut by the budget':>18} {'never quoted':>13}")
    for where in PLACES:
        print(f"{where:<28} {tally[(where, True)]:>18} {tally[(where, False)]:>13}")
    past_budget = sum(count for (_where, by_budget), count in tally.items() if by_budget)
    print(f"{'total':<28} {past_budget:>18} {missed_total - past_budget:>13}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
