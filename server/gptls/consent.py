"""Who allowed gptls to run model-written code, per workspace: remembered across restarts."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
FILE = "code-execution-consent.json"


class ConsentStore:
    def __init__(self, state_dir: str) -> None:
        self.path = Path(state_dir, FILE) if state_dir else None
        self._session: set[str] = set()

    def allowed(self, workspace: str) -> bool:
        return workspace in self._session or workspace in self._saved()

    def allow_always(self, workspace: str) -> None:
        self._session.add(workspace)
        if self.path is None:
            return
        saved = self._saved() | {workspace}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".consent-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(sorted(saved), out)
            os.replace(tmp, self.path)
        except OSError as exc:  # remembered for this session anyway
            log.warning("could not save the code-execution consent in %s: %s", self.path, exc)

    def _saved(self) -> set[str]:
        if self.path is None or not self.path.exists():
            return set()
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {str(v) for v in value} if isinstance(value, list) else set()
