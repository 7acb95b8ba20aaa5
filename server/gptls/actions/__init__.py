"""The actions gptls offers. Each is a small prompt definition on the same pipeline."""

from gptls.actions import docstring, explain, generate, refactor, verified
from gptls.actions.base import Action, ActionError, EditResult, Outcome, TextResult

ALL: tuple[Action, ...] = (
    generate.ACTION,
    verified.ACTION,
    explain.ACTION,
    explain.COMMENT_ACTION,
    refactor.ACTION,
    docstring.ACTION,
)
BY_ID = {action.id: action for action in ALL}

__all__ = ["ALL", "BY_ID", "Action", "ActionError", "EditResult", "Outcome", "TextResult"]
