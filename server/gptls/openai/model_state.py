"""What the model router remembers across restarts: the catalogue it read, the switches it made and the
warnings it gave today, in one small JSON file in the state dir, written atomically."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

STATE_FILE = "models.json"


class ModelState:
    """The remembered catalogue, switches and warnings: a small JSON file, written atomically."""

    def __init__(self, state_dir: str) -> None:
        self.path = Path(state_dir, STATE_FILE) if state_dir else None
        self.data: dict[str, dict[str, Any]] = {"catalogue": {}, "available": {}, "switched": {}, "warned": {}}
        if self.path is not None and self.path.exists():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log.debug("ignoring unreadable %s: %s", self.path, exc)
            else:
                if isinstance(loaded, dict):
                    for section in self.data:
                        if isinstance(loaded.get(section), dict):
                            self.data[section] = loaded[section]

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".models-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.data, out, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError as exc:  # remembered for this process anyway
            log.warning("could not save the model state in %s: %s", self.path, exc)
