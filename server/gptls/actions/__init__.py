"""The actions gptls offers. Each is a small prompt definition on the same pipeline."""

from __future__ import annotations

import functools

from gptls.actions import (
    ask,
    custom,
    docstring,
    explain,
    fix,
    generate,
    instruct,
    refactor,
    verified,
    write_tests,
)
from gptls.actions.base import Action, ActionError, EditResult, FileAddition, Outcome, TextResult
from gptls.config import Settings
from gptls.config_values import ActionSpec

ALL: tuple[Action, ...] = (
    generate.ACTION,
    verified.ACTION,
    explain.ACTION,
    explain.COMMENT_ACTION,
    ask.ACTION,
    refactor.ACTION,
    instruct.ACTION,
    docstring.ACTION,
    write_tests.ACTION,
    fix.ACTION,  # offered for the diagnostics at the range, after the others
)
BY_ID = {action.id: action for action in ALL}  # Refine (actions/refine.py) is run by its command only


def available(settings: Settings) -> tuple[Action, ...]:
    """The menu for these settings: the built-in actions, then the ones defined in ``actions``."""
    return _menu(settings.actions)


@functools.lru_cache(maxsize=8)
def _menu(specs: tuple[ActionSpec, ...]) -> tuple[Action, ...]:
    # Editors ask for code actions on every cursor move: build the settings-defined ones once per setting.
    return ALL + tuple(custom.build(spec) for spec in specs)


def by_format_name(name: str) -> Action | None:
    """The built-in action whose requests carry this structured-output format name (``gptls demo``)."""
    return next((a for a in BY_ID.values() if a.format_name == name), None)


def by_instructions(instructions: str) -> Action | None:
    """The built-in action without a schema (it answers in prose) whose requests carry these instructions."""
    return next((a for a in BY_ID.values() if not a.schema and a.instructions == instructions), None)


def find(settings: Settings, action_id: str) -> Action | None:
    """An action by id, settings-defined ones included (they change without a restart)."""
    if action_id in BY_ID:
        return BY_ID[action_id]
    return next((a for a in available(settings) if a.id == action_id), None)


__all__ = [
    "ALL",
    "BY_ID",
    "Action",
    "ActionError",
    "EditResult",
    "FileAddition",
    "Outcome",
    "TextResult",
    "available",
    "by_format_name",
    "by_instructions",
    "find",
]
