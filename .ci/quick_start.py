"""Print the README's two quick-start commands, one a line: the first fenced sh block under "## Quick start".
.ci/run runs them word for word, so CI does what a newcomer does."""

import re
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text(encoding="utf-8")
section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
block = re.search(r"```sh\n(.*?)\n```", section, re.DOTALL)
commands = block.group(1).split("\n") if block else []
if len(commands) != 2 or not all(c.strip() for c in commands):
    sys.exit("README.md's Quick start must hold one sh block of exactly two commands")
print("\n".join(commands))
