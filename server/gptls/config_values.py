"""What a valid value of a setting is: each kind of value parses what an editor or a file sends (raising
``ValueError`` with a message a user can act on) and describes itself as a JSON schema fragment, which the
VS Code ``package.json`` contribution is checked against."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Secret:
    """A string that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Value(Generic[T]):
    """A kind of setting value."""

    def __call__(self, raw: Any) -> T:
        raise NotImplementedError

    def parse(self, raw: Any) -> tuple[T, list[str]]:
        """The value and warnings about parts of it left out (a list whose bad entries are dropped)."""
        return self(raw), []

    def schema(self) -> dict[str, Any]:
        raise NotImplementedError


class Choice(Value[str]):
    def __init__(self, options: tuple[str, ...]) -> None:
        self.options = options

    def __call__(self, raw: Any) -> str:
        if not isinstance(raw, str) or raw not in self.options:
            raise ValueError(f"must be one of {', '.join(self.options)}, got {raw!r}")
        return raw

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.options)}


class OptionalChoice(Value["str | None"]):
    """One of ``options``, or "" for none."""

    def __init__(self, options: tuple[str, ...]) -> None:
        self.choice = Choice(options)

    def __call__(self, raw: Any) -> str | None:
        return None if raw == "" else self.choice(raw)

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": ["", *self.choice.options]}


class IntRange(Value[int]):
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
            raise ValueError(f"must be a whole number, got {raw!r}")
        if not self.low <= raw <= self.high:
            raise ValueError(f"must be between {self.low} and {self.high}, got {raw}")
        return int(raw)

    def schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


class FloatRange(Value[float]):
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __call__(self, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ValueError(f"must be a number, got {raw!r}")
        if not self.low <= raw <= self.high:
            raise ValueError(f"must be between {self.low} and {self.high}, got {raw}")
        return float(raw)

    def schema(self) -> dict[str, Any]:
        return {"type": "number", "minimum": self.low, "maximum": self.high}


class OptionalFloat(Value["float | None"]):
    """A number in a range, unset by default (sent only when set)."""

    def __init__(self, low: float, high: float) -> None:
        self.range = FloatRange(low, high)

    def __call__(self, raw: Any) -> float | None:
        return self.range(raw)

    def schema(self) -> dict[str, Any]:
        return {"type": ["number", "null"], "minimum": self.range.low, "maximum": self.range.high}


class Bool(Value[bool]):
    def __call__(self, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise ValueError(f"must be true or false, got {raw!r}")
        return raw

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


class Text(Value[str]):
    def __call__(self, raw: Any) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"must be a non-empty string, got {raw!r}")
        return raw.strip()

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class OptionalText(Value["str | None"]):
    def __call__(self, raw: Any) -> str | None:
        if not isinstance(raw, str):
            raise ValueError(f"must be a string, got {raw!r}")
        return raw.strip() or None

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Program(Value[str]):
    """A program gptls runs: an absolute path (a relative one would resolve in the project), "" for the
    default."""

    def __call__(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError(f"must be a string, got {raw!r}")
        path = os.path.expanduser(raw.strip())
        if path and not os.path.isabs(path):
            raise ValueError(f"must be an absolute path, got {raw!r}")
        return path

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Url(Value[str]):
    def __call__(self, raw: Any) -> str:
        text = Text()(raw)
        if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
            raise ValueError(f"must be an http(s) URL, got {text!r}")
        return text.rstrip("/")

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class SecretText(Value[Secret]):
    def __call__(self, raw: Any) -> Secret:
        if not isinstance(raw, str):
            raise ValueError("must be a string")
        return Secret(raw.strip())

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}


class Globs(Value["tuple[str, ...]"]):
    """Glob patterns added to ``always`` (the built-in ones, which always apply)."""

    def __init__(self, always: tuple[str, ...] = ()) -> None:
        self.always = always

    def __call__(self, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, (list, tuple)) or not all(isinstance(g, str) and g for g in raw):
            raise ValueError("must be a list of glob patterns")
        return tuple(dict.fromkeys((*self.always, *raw)))

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}}


class Names(Value["tuple[str, ...]"]):
    """A list of model names; ``[]`` is allowed (it turns something off)."""

    def __call__(self, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, (list, tuple)) or not all(isinstance(m, str) and m.strip() for m in raw):
            raise ValueError("must be a list of model names ([] turns switching off)")
        return tuple(dict.fromkeys(m.strip() for m in raw))

    def schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}}


Price = tuple[float, float, float]


class Prices(Value["Mapping[str, Price]"]):
    """Per model, USD per 1M tokens: (input, cached input, output), over ``defaults``."""

    def __init__(self, defaults: Mapping[str, Price]) -> None:
        self.defaults = defaults

    def __call__(self, raw: Any) -> Mapping[str, Price]:
        if not isinstance(raw, Mapping):
            raise ValueError("must map a model name to [input, cached input, output] USD per 1M tokens")
        prices = dict(self.defaults)
        for model, triple in raw.items():
            if (
                not isinstance(triple, (list, tuple))
                or len(triple) != 3
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in triple)
            ):
                raise ValueError(f"price of {model!r} must be [input, cached input, output] per 1M tokens")
            prices[str(model)] = (float(triple[0]), float(triple[1]), float(triple[2]))
        return prices

    def schema(self) -> dict[str, Any]:
        return {"type": "object"}


@dataclass(frozen=True)
class ActionSpec:
    """An action defined in the ``actions`` setting."""

    title: str
    instructions: str
    result: str = "edit"  # edit: the answer replaces the target; explain: shown like Explain complexity
    scope: str = "any"  # function | selection | any
    languages: tuple[str, ...] | None = None  # languageIds; None: all


ACTION_RESULTS = ("edit", "explain")
ACTION_SCOPES = ("function", "selection", "any")
ACTION_KEYS = {"title", "instructions", "result", "scope", "languages"}


class ActionSpecs(Value["tuple[ActionSpec, ...]"]):
    """Settings-defined actions: each bad entry is reported on its own and left out; the good ones stay. A
    title may not pass for one of ``reserved`` (the built-in actions' titles)."""

    def __init__(self, reserved: tuple[str, ...]) -> None:
        self.reserved = tuple(t.casefold() for t in reserved)

    def __call__(self, raw: Any) -> tuple[ActionSpec, ...]:
        return self.parse(raw)[0]

    def parse(self, raw: Any) -> tuple[tuple[ActionSpec, ...], list[str]]:
        if not isinstance(raw, (list, tuple)):
            return (), ["gptls setting 'actions': must be a list of {title, instructions, result, scope, languages}"]
        specs: list[ActionSpec] = []
        errors: list[str] = []
        for index, entry in enumerate(raw):
            try:
                spec = self._one(entry)
            except ValueError as exc:
                errors.append(f"gptls setting 'actions'[{index}]: {exc}; that action is left out")
                continue
            if any(s.title == spec.title for s in specs):
                errors.append(
                    f"gptls setting 'actions'[{index}]: a second action titled {spec.title!r}; it is left out"
                )
                continue
            specs.append(spec)
        return tuple(specs), errors

    def _one(self, entry: Any) -> ActionSpec:
        if not isinstance(entry, Mapping):
            raise ValueError("must be an object with title and instructions")
        unknown = sorted(set(entry) - ACTION_KEYS)
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(ACTION_KEYS))})")
        title, instructions = entry.get("title"), entry.get("instructions")
        if not isinstance(title, str) or not title.strip() or len(title) > 60:
            raise ValueError("title must be a non-empty string of at most 60 characters")
        if not title.isprintable():
            raise ValueError("title must be printable text (no control characters)")
        bare = re.sub(r"^\W*gptls\W*(settings\W*)?", "", title.strip(), flags=re.IGNORECASE).strip().casefold()
        if not bare or bare in self.reserved or bare.startswith(("fix:", "fix ")):
            raise ValueError(f"{title!r} is the title of a built-in gptls action; choose another")
        if not isinstance(instructions, str) or not instructions.strip():
            raise ValueError(f"{title!r} needs instructions (a non-empty string)")
        result, scope = entry.get("result", "edit"), entry.get("scope", "any")
        if result not in ACTION_RESULTS:
            raise ValueError(f"{title!r}: result must be one of {', '.join(ACTION_RESULTS)}, got {result!r}")
        if scope not in ACTION_SCOPES:
            raise ValueError(f"{title!r}: scope must be one of {', '.join(ACTION_SCOPES)}, got {scope!r}")
        languages = entry.get("languages")
        if languages is not None and (
            not isinstance(languages, (list, tuple)) or not all(isinstance(x, str) and x for x in languages)
        ):
            raise ValueError(f"{title!r}: languages must be a list of languageIds")
        return ActionSpec(title.strip(), instructions.strip(), result, scope, tuple(languages) if languages else None)

    def schema(self) -> dict[str, Any]:
        return {"type": "array"}
