"""Running model-written code needs the user's consent: what gptls asks (naming the boundary the code runs
behind), what each answer means, and who allowed it "always", per workspace and boundary, across restarts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gptls.actions.base import ActionError
from gptls.state_files import read_state, write_state

if TYPE_CHECKING:
    from gptls.sandbox import Boundary

log = logging.getLogger(__name__)
FILE = "code-execution-consent.json"


ALLOW_ONCE, ALLOW_ALWAYS, CANCEL = "Allow once", "Always for this workspace", "Cancel"
WITHOUT_RUNNING = "Continue without running code"


@dataclass(frozen=True)
class Question:
    message: str
    choices: tuple[str, ...]


def question(title: str, boundary: Boundary) -> Question:
    """What to ask before an action runs code behind ``boundary`` (or tell, when there is none)."""
    if not boundary.available:
        # Nothing will run, so nothing to allow; the user still learns why the result is untested.
        return Question(
            f"gptls: {title} cannot run the model's code here: there is {boundary.describe()}. It will write the "
            "function without testing it (install bubblewrap, or set GPTLS_SANDBOX=none in the environment to run "
            "code unprotected, which is unsafe).",
            (WITHOUT_RUNNING, CANCEL),
        )
    return Question(
        f"gptls: {title} runs code written by the model on this machine to test it, inside {boundary.describe()}, "
        "with time, CPU and memory limits. Allow it?",
        (ALLOW_ONCE, ALLOW_ALWAYS, CANCEL),
    )


def remember_always(choice: str | None, boundary: Boundary) -> bool:
    """What the answer means: True to remember it for the workspace, False to go on this once; ActionError
    when the user did not allow it (or closed the dialog)."""
    if choice == ALLOW_ALWAYS and boundary.available:
        return True
    if choice in (ALLOW_ONCE, WITHOUT_RUNNING):
        return False
    raise ActionError("Not run: running model-written code was not allowed.")


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
            write_state(self.path, sorted(saved))
        except OSError as exc:  # remembered for this session anyway
            log.warning("could not save the code-execution consent in %s: %s", self.path, exc)

    def _saved(self) -> set[str]:
        value = read_state(self.path) if self.path is not None else None
        return {str(v) for v in value} if isinstance(value, list) else set()
