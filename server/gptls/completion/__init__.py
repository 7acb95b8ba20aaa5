"""Inline completions (ghost text): the prompt around the cursor, the answer made safe to insert, typing along
a suggestion already shown, and the service that decides when a call is made."""

from gptls.completion.service import Completer, Completion

__all__ = ["Completer", "Completion"]
