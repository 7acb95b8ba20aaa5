"""Conversations on the Responses API: an ask and its follow-ups, a proposed edit and its refinements.

A follow-up continues a response. With ``store: true`` the provider kept the conversation, so the next request
names the last response (``previous_response_id``) and sends only the new message; with ``store: false``
(gptls' default) nothing was kept, so the earlier turns are sent again as messages. Either way the model sees
what it was asked and what it answered. Plain data, kept in memory by the server (a bounded number per
workspace) and in the state directory by the command line (``gptls run ask --follow-up``).
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gptls.state_files import read_state, write_state

if TYPE_CHECKING:
    from gptls.openai.wire import JsonDict, ResponseRequest

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 20  # per workspace: the oldest goes
MAX_TURNS = 12  # a conversation's turns re-sent at the most (store: false): the first and the latest


@dataclass(frozen=True)
class Turn:
    """One exchange: what was sent as the user's message, what the model answered, and the response's id."""

    asked: str
    answered: str
    response_id: str = ""


@dataclass
class Conversation:
    id: str
    workspace: str
    uri: str  # the document it is about
    turns: list[Turn] = field(default_factory=list)
    job: Any = None  # the server's: the job its first turn asked (a follow-up is checked and counted as it)

    def next_request(self, request: ResponseRequest, *, store: bool) -> ResponseRequest:
        """``request`` (the new message, as its ``input``) continuing this conversation."""
        if not self.turns:
            return request
        message = request.input if isinstance(request.input, str) else ""
        last = self.turns[-1]
        if store and last.response_id:
            return replace(request, previous_response_id=last.response_id)
        kept = self.turns if len(self.turns) <= MAX_TURNS else [self.turns[0], *self.turns[-(MAX_TURNS - 1) :]]
        earlier: list[JsonDict] = []
        for turn in kept:
            earlier += [_message("user", turn.asked), _message("assistant", turn.answered)]
        return replace(request, input=[*earlier, _message("user", message)], previous_response_id=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "workspace": self.workspace,
            "uri": self.uri,
            "turns": [{"asked": t.asked, "answered": t.answered, "response_id": t.response_id} for t in self.turns],
        }

    @classmethod
    def from_json(cls, data: Any) -> Conversation | None:
        """A conversation saved by ``to_json``, or None for anything else (a state file is not trusted)."""
        if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("id", "workspace", "uri")):
            return None
        turns = [
            Turn(t["asked"], t["answered"], str(t.get("response_id") or ""))
            for t in data.get("turns", [])
            if isinstance(t, dict) and isinstance(t.get("asked"), str) and isinstance(t.get("answered"), str)
        ]
        return cls(data["id"], data["workspace"], data["uri"], turns)


def _message(role: str, text: str) -> JsonDict:
    return {"role": role, "content": text}


class Conversations:
    """The server's conversations: a bounded number per workspace, the least recently used going first."""

    def __init__(self, limit: int = MAX_CONVERSATIONS) -> None:
        self.limit = limit
        self._by_id: OrderedDict[str, Conversation] = OrderedDict()

    def start(self, workspace: str, uri: str) -> Conversation:
        made = Conversation(f"c-{uuid.uuid4().hex[:12]}", workspace, uri)
        self._by_id[made.id] = made
        same = [c for c in self._by_id.values() if c.workspace == workspace]
        for old in same[: max(0, len(same) - self.limit)]:
            del self._by_id[old.id]
        return made

    def get(self, conversation_id: str) -> Conversation | None:
        found = self._by_id.get(conversation_id)
        if found is not None:
            self._by_id.move_to_end(conversation_id)
        return found

    def forget(self, conversation_id: str) -> None:
        self._by_id.pop(conversation_id, None)


class Saved:
    """The command line's conversations, in the state directory: the last one about each file, for
    ``gptls run ask FILE --follow-up``; at most ``MAX_CONVERSATIONS`` files, the oldest going first."""

    FILE = "conversations.json"

    def __init__(self, state_dir: str) -> None:
        self.path = Path(state_dir, self.FILE) if state_dir else None

    def load(self, uri: str) -> Conversation | None:
        saved = self._all()
        return Conversation.from_json(saved.get(uri)) if uri in saved else None

    def keep(self, conversation: Conversation) -> None:
        if self.path is None:
            return
        saved = self._all()
        saved.pop(conversation.uri, None)
        conversation.turns = conversation.turns[-MAX_TURNS:]
        saved[conversation.uri] = conversation.to_json()
        kept = dict(list(saved.items())[-MAX_CONVERSATIONS:])
        try:
            write_state(self.path, kept)
        except OSError as exc:  # the answer was given; only the follow-up is lost
            log.warning("could not save the conversation in %s: %s", self.path, exc)

    def _all(self) -> dict[str, Any]:
        value = read_state(self.path) if self.path is not None else None
        return value if isinstance(value, dict) else {}
