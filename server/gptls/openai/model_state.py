"""What the model router remembers across restarts: the catalogue it read, the switches it made and the
warnings it gave today, in one small JSON file in the state dir, written atomically."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from gptls.state_files import read_state, write_state

log = logging.getLogger(__name__)

STATE_FILE = "models.json"


class ModelState:
    """The remembered catalogue, switches and warnings: a small JSON file, written atomically."""

    def __init__(self, state_dir: str) -> None:
        self.path = Path(state_dir, STATE_FILE) if state_dir else None
        self.data: dict[str, dict[str, Any]] = {"catalogue": {}, "available": {}, "switched": {}, "warned": {}}
        loaded = read_state(self.path) if self.path is not None else None
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
            write_state(self.path, self.data, indent=1)
        except OSError as exc:  # remembered for this process anyway
            log.warning("could not save the model state in %s: %s", self.path, exc)
