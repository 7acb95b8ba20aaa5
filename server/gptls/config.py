"""Settings: one immutable object, built from the user's own places and the client's options.

No other module reads ``os.environ``. Names are snake_case in Python and camelCase on the wire
(``initializationOptions`` and the ``gptls`` configuration section).

Settings have a provenance. What an editor sends (``initializationOptions``, ``workspace/configuration``) may
come from the project the user opened: VS Code merges a folder's ``.vscode/settings.json`` in, Eglot merges
``.dir-locals.el``. So the settings that decide where the API key goes, what program runs and what OpenAI
keeps (``PROTECTED``) are taken only from the user's own places: the environment and gptls' user config file
(``$XDG_CONFIG_HOME/gptls/config.json`` or ``.toml``), and at the command line its flags and ``--config``.
From an editor they are ignored, with a warning. The built-in secret patterns of ``exclude`` always apply.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-5-mini"
# Files whose text is never sent (matched case-insensitively, on the name and on the whole path).
DEFAULT_EXCLUDE = (
    ".env*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.keystore",
    "*.jks",
    ".netrc",
    "_netrc",
    ".npmrc",
    ".pypirc",
    ".pgpass",
    ".git-credentials",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    "*credentials*",
    "secrets.*",
    "*.secret",
    "**/secrets/**",
    "**/.ssh/**",
    "**/.aws/**",
    "**/.kube/**",
    "**/.gnupg/**",
    "**/.docker/config.json",
    # Terraform variables and state, cloud service accounts and credentials, framework local settings, kubeconfig.
    "*.tfvars",
    "*.tfvars.json",
    "*.tfstate",
    "*.tfstate.*",
    "service-account*.json",
    "service_account*.json",
    "*-sa-key*.json",
    "application_default_credentials.json",
    "client_secret*.json",
    "gha-creds-*.json",
    "local_settings.py",
    "settings_local.py",
    "local_config.py",
    "instance/config.py",
    "kubeconfig*",
    "*.kubeconfig",
    ".htpasswd",
    ".dockercfg",
    ".vault-token",
    "*.ovpn",
    "*.gpg",
    "*.asc",
    "*.kdbx",
    ".s3cfg",
    ".boto",
    ".composer/auth.json",
    "auth.json",
    "wp-config.php",
)
SANDBOXES = ("auto", "bubblewrap", "landlock", "none")

# Settings an editor may not set (see the module docstring), with the environment variable that sets each.
PROTECTED: dict[str, str] = {
    "api_key": "OPENAI_API_KEY",
    "base_url": "OPENAI_BASE_URL",
    "organization": "OPENAI_ORG_ID",
    "project": "OPENAI_PROJECT_ID",
    "sandbox": "GPTLS_SANDBOX",
    "bwrap_path": "GPTLS_BWRAP_PATH",
    "store": "GPTLS_STORE",
    "prices": "GPTLS_PRICES",
}
_PROTECTS = {
    "api_key": "which account pays",
    "base_url": "where your API key and code are sent",
    "organization": "which organization is billed",
    "project": "which project is billed",
    "sandbox": "how model-written code is confined",
    "bwrap_path": "which program gptls runs",
    "store": "whether OpenAI keeps your code",
    "prices": "what gptls tells you calls cost",
}
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
# What OpenAI names as gpt-5-mini's replacements (shut down 2026-12-11), newest recommendation first.
DEFAULT_FALLBACK_MODELS = ("gpt-6.1-terra", "gpt-5.6-terra")
# Reasoning model families: they refuse temperature and top_p (only the default, 1, is accepted).
REASONING_FAMILIES = ("gpt-5", "gpt-6", "o1", "o3", "o4")

# Every effort some model takes: gpt-5-mini takes minimal..high, newer models none..xhigh. A value the
# configured model refuses is replaced by its nearest supported one, with a warning (see openai/client.py).
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
VERBOSITIES = ("low", "medium", "high")
SERVICE_TIERS = ("auto", "default", "flex", "priority")
HOVER_MODES = ("auto", "cached", "off")
TRUNCATIONS = ("auto", "disabled")

# Per 1M tokens, USD: (input, cached input, output). Prices change; users override with `prices`.
DEFAULT_PRICES: dict[str, tuple[float, float, float]] = {
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
}


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


@dataclass(frozen=True)
class ActionSpec:
    """An action the user defined in the ``actions`` setting."""

    title: str
    instructions: str
    result: str = "edit"  # edit: the answer replaces the target; explain: shown like Explain complexity
    scope: str = "any"  # function | selection | any
    languages: tuple[str, ...] | None = None  # languageIds; None: all


@dataclass(frozen=True)
class Settings:
    """Everything gptls can be configured with. Defaults favour low cost and privacy."""

    api_key: Secret = field(default_factory=lambda: Secret(""), repr=False, compare=False)
    base_url: str = DEFAULT_BASE_URL
    organization: str | None = None
    project: str | None = None

    model: str = DEFAULT_MODEL
    fallback_models: tuple[str, ...] = DEFAULT_FALLBACK_MODELS
    reasoning_effort: str = "low"
    verbosity: str = "low"
    max_output_tokens: int = 8000
    service_tier: str = "auto"
    store: bool = False
    truncation: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    prompt_cache_key: str | None = "gptls"
    stream: bool = True

    timeout: float = 60.0
    max_retries: int = 3
    deadline: float = 180.0
    max_retry_wait: float = 60.0

    max_concurrent_calls: int = 4
    hover: str = "auto"
    context_budget: int = 6000
    max_selection_chars: int = 60000
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    cache_size: int = 256
    verified_action: bool = True
    verify_rounds: int = 3
    sandbox_timeout: float = 10.0
    sandbox_memory_mb: int = 512
    preview_edits: bool = True
    actions: tuple[ActionSpec, ...] = ()
    sandbox: str = "auto"
    bwrap_path: str = ""  # "": the bundled bwrap, else the system's
    state_dir: str = ""
    config_file: str = ""  # gptls' user config file (it may not exist)
    # Environment only (GPTLS_LANDLOCK_ABI): use at most this Landlock ABI, to run the sandbox as an older
    # kernel would (the attack suite does); 0: all the kernel offers.
    landlock_abi: int = 0
    prices: Mapping[str, tuple[float, float, float]] = field(
        default_factory=lambda: dict(DEFAULT_PRICES), compare=False
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Defaults overlaid with the environment (``OPENAI_*`` and ``GPTLS_*``); no config file."""
        return user_settings(environ, read_file=False).settings

    def updated(
        self, options: Mapping[str, Any] | None, *, trusted: bool = True, base: Settings | None = None
    ) -> ConfigUpdate:
        """Apply camelCase options; bad values keep the previous value and are reported.

        ``trusted``: the options come from the user's own places. Otherwise (an editor's settings) a
        ``PROTECTED`` setting is ignored and listed in ``ignored``, and ``exclude`` only adds patterns.
        ``base``: what an emptied setting goes back to (the user's own settings; default: the environment's)."""
        changes: dict[str, Any] = {}
        errors: list[str] = []
        unknown: list[str] = []
        ignored: list[str] = []
        for key, raw in (options or {}).items():
            if key in CLIENT_ONLY:
                continue
            name = _snake(key)
            parse = _PARSERS.get(name)
            if parse is None:
                unknown.append(key)
                continue
            if raw is None or (raw == "" and name == "api_key"):
                continue  # an unset client setting means "keep what we have"
            if name in PROTECTED and not trusted:
                ignored.append(key)
                continue
            if raw == "":
                # An emptied setting goes back to the user's own value.
                changes[name] = getattr(base if base is not None else Settings.from_env(), name)
                continue
            if name == "actions":
                # Each bad entry is reported on its own; the good ones still work.
                changes[name], bad = _action_specs(raw)
                errors += bad
                continue
            try:
                changes[name] = parse(raw)
            except (TypeError, ValueError) as exc:
                errors.append(f"gptls setting {key!r}: {exc}; keeping {_show(getattr(self, name))}")
                continue
            if name == "exclude" and not trusted:
                changes[name] = tuple(dict.fromkeys((*self.exclude, *changes[name])))  # only ever more
        settings = dataclasses.replace(self, **changes)
        for key, value in (("temperature", settings.temperature), ("topP", settings.top_p)):
            if value is not None and not takes_sampling_parameters(settings.model):
                errors.append(
                    f"gptls setting {key!r}: {settings.model} is a reasoning model and refuses {key} (only the "
                    "default is accepted); gptls will not send it. Remove the setting."
                )
        if not takes_sampling_parameters(settings.model):
            settings = dataclasses.replace(settings, temperature=None, top_p=None)
        return ConfigUpdate(settings, tuple(errors), tuple(unknown), tuple(ignored))

    def cache_identity(self) -> tuple[Any, ...]:
        """The settings that change what the model answers: part of every cache key."""
        return (
            self.base_url,
            self.model,
            self.fallback_models,
            self.reasoning_effort,
            self.verbosity,
            self.max_output_tokens,
            self.temperature,
            self.top_p,
        )


def secret_environment_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of this process' environment variables whose names look secret (``*KEY*``, ``*TOKEN*``,
    ``*SECRET*``, ``*PASSWORD*``…): never shown, wherever they turn up."""
    env = os.environ if environ is None else environ
    return [value for name, value in env.items() if SECRET_NAME.search(name) and len(value.strip()) >= 6]


def takes_sampling_parameters(model: str) -> bool:
    """False for reasoning models (gpt-5 family and later, o-series): they refuse temperature and top_p."""
    name = model.lower().rsplit("/", 1)[-1]  # "openai/gpt-5-mini" on a proxy is still gpt-5-mini
    return not name.startswith(REASONING_FAMILIES)


@dataclass(frozen=True)
class ConfigUpdate:
    settings: Settings
    errors: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # protected settings an editor sent (camelCase): not applied


def config_file_path(environ: Mapping[str, str] | None = None) -> str:
    """gptls' user config file: ``$XDG_CONFIG_HOME/gptls/config.json`` (or ``config.toml``), the JSON one
    when both exist."""
    env = os.environ if environ is None else environ
    home = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    folder = os.path.join(home, "gptls")
    toml = os.path.join(folder, "config.toml")
    return (
        toml
        if not os.path.exists(os.path.join(folder, "config.json")) and os.path.exists(toml)
        else (os.path.join(folder, "config.json"))
    )


def user_settings(environ: Mapping[str, str] | None = None, *, read_file: bool = True) -> ConfigUpdate:
    """The settings from the user's own places: the defaults, gptls' user config file, then the environment
    (``OPENAI_*`` as OpenAI's SDKs name them, ``GPTLS_*`` for the rest), which wins. Errors name where the
    bad value is; a bad value is left out."""
    env = os.environ if environ is None else environ
    state_home = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    settings = Settings(state_dir=os.path.join(state_home, "gptls"), config_file=config_file_path(env))
    errors: list[str] = []
    unknown: list[str] = []
    if read_file and os.path.exists(settings.config_file):
        options, error = read_settings_file(settings.config_file)
        if error:
            errors.append(error)
        else:
            update = settings.updated(options, base=settings)
            settings = update.settings
            errors += [f"{e} (in {settings.config_file})" for e in update.errors]
            unknown += [f"{key} (in {settings.config_file})" for key in update.unknown]
    changes: dict[str, Any] = {}
    for name, variable in PROTECTED.items():
        raw = env.get(variable, "").strip()
        if not raw:
            continue
        try:
            changes[name] = _PARSERS[name](_from_text(name, raw))
        except (TypeError, ValueError) as exc:
            errors.append(f"{variable}: {exc}; gptls ignores it")
    abi = env.get("GPTLS_LANDLOCK_ABI", "").strip()
    if abi.isdigit():
        changes["landlock_abi"] = int(abi)
    return ConfigUpdate(dataclasses.replace(settings, **changes), tuple(errors), tuple(unknown))


def read_settings_file(path: str) -> tuple[dict[str, Any], str]:
    """The settings object in a JSON or TOML file (optionally under a ``gptls`` key), or an error saying why
    there is none."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return {}, f"cannot read {path}: {exc.strerror or exc}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}, f"{path} is not UTF-8 text"
    try:
        if path.endswith(".toml"):
            import tomllib

            options: Any = tomllib.loads(text)
        else:
            options = json.loads(text)
    except ValueError as exc:
        return {}, f"{path} is not valid {'TOML' if path.endswith('.toml') else 'JSON'} ({exc})"
    if isinstance(options, dict) and isinstance(options.get("gptls"), dict):
        options = options["gptls"]
    if not isinstance(options, dict):
        return {}, f"{path} must hold an object of gptls settings"
    return options, ""


def ignored_setting_message(key: str, source: str, config_file: str) -> str:
    """Why a protected setting an editor sent was ignored, and where the user sets it instead."""
    name = _snake(key)
    where = f"{PROTECTED[name]} in your environment or " if name in PROTECTED else ""
    return (
        f"gptls: ignored gptls.{key} from {source}: it decides {_PROTECTS.get(name, 'what gptls may do')}, and an "
        "editor's settings can come from the project you opened (.vscode/settings.json, .dir-locals.el). Set it "
        f"in {where}{config_file} (VS Code: in your user settings)."
    )


def _from_text(name: str, raw: str) -> Any:
    """An environment variable's text as the JSON value the setting's parser takes."""
    if name == "store":
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"must be true or false, got {raw!r}")
    if name == "prices":
        try:
            return json.loads(raw)
        except ValueError:
            raise ValueError("must be a JSON object of prices") from None
    return raw


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _show(value: Any) -> str:
    return "the hidden key" if isinstance(value, Secret) else repr(value)


def _choice(options: tuple[str, ...]) -> Any:
    def parse(raw: Any) -> str:
        if not isinstance(raw, str) or raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}, got {raw!r}")
        return raw

    return parse


def _optional_choice(options: tuple[str, ...]) -> Any:
    inner = _choice(options)

    def parse(raw: Any) -> str | None:
        return None if raw == "" else str(inner(raw))

    return parse


def _int_range(low: int, high: int) -> Any:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or int(raw) != raw:
            raise ValueError(f"must be a whole number, got {raw!r}")
        if not low <= raw <= high:
            raise ValueError(f"must be between {low} and {high}, got {raw}")
        return int(raw)

    return parse


def _float_range(low: float, high: float) -> Any:
    def parse(raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"must be a number, got {raw!r}")
        if not low <= raw <= high:
            raise ValueError(f"must be between {low} and {high}, got {raw}")
        return float(raw)

    return parse


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"must be true or false, got {raw!r}")
    return raw


def _text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"must be a non-empty string, got {raw!r}")
    return raw.strip()


def _optional_text(raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise ValueError(f"must be a string, got {raw!r}")
    return raw.strip() or None


def _program(raw: Any) -> str:
    """A program gptls runs: an absolute path (a relative one would resolve in the project), or "" for the
    default."""
    if not isinstance(raw, str):
        raise ValueError(f"must be a string, got {raw!r}")
    path = os.path.expanduser(raw.strip())
    if path and not os.path.isabs(path):
        raise ValueError(f"must be an absolute path, got {raw!r}")
    return path


def _url(raw: Any) -> str:
    text = _text(raw)
    if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
        raise ValueError(f"must be an http(s) URL, got {text!r}")
    return text.rstrip("/")


def _secret(raw: Any) -> Secret:
    if not isinstance(raw, str):
        raise ValueError("must be a string")
    return Secret(raw.strip())


def _globs(raw: Any) -> tuple[str, ...]:
    """The built-in secret patterns always apply: ``exclude`` adds to them."""
    if not isinstance(raw, list | tuple) or not all(isinstance(g, str) and g for g in raw):
        raise ValueError("must be a list of glob patterns")
    return tuple(dict.fromkeys((*DEFAULT_EXCLUDE, *raw)))


def _models(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple) or not all(isinstance(m, str) and m.strip() for m in raw):
        raise ValueError("must be a list of model names ([] turns switching off)")
    return tuple(dict.fromkeys(m.strip() for m in raw))


# The built-in actions' titles (without "gptls: "): a settings-defined action may not pass for one of them.
# tests/unit/test_config.py keeps this equal to the actions' own titles.
BUILT_IN_TITLES = (
    "Generate function",
    "Generate function (verified)",
    "Explain complexity",
    "Insert complexity comment",
    "Suggest refactor",
    "Add docstring",
    "Write tests",
    "Fix",
)
ACTION_RESULTS = ("edit", "explain")
ACTION_SCOPES = ("function", "selection", "any")
ACTION_KEYS = {"title", "instructions", "result", "scope", "languages"}


def _action_specs(raw: Any) -> tuple[tuple[ActionSpec, ...], list[str]]:
    if not isinstance(raw, list | tuple):
        return (), ["gptls setting 'actions': must be a list of {title, instructions, result, scope, languages}"]
    specs: list[ActionSpec] = []
    errors: list[str] = []
    for index, entry in enumerate(raw):
        try:
            spec = _action_spec(entry)
        except ValueError as exc:
            errors.append(f"gptls setting 'actions'[{index}]: {exc}; that action is left out")
            continue
        if any(s.title == spec.title for s in specs):
            errors.append(f"gptls setting 'actions'[{index}]: a second action titled {spec.title!r}; it is left out")
            continue
        specs.append(spec)
    return tuple(specs), errors


def _action_spec(entry: Any) -> ActionSpec:
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
    if any(bare == t.casefold() or bare.startswith(("fix:", "fix ")) for t in BUILT_IN_TITLES) or not bare:
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
        not isinstance(languages, list | tuple) or not all(isinstance(x, str) and x for x in languages)
    ):
        raise ValueError(f"{title!r}: languages must be a list of languageIds")
    return ActionSpec(title.strip(), instructions.strip(), result, scope, tuple(languages) if languages else None)


def _prices(raw: Any) -> dict[str, tuple[float, float, float]]:
    if not isinstance(raw, Mapping):
        raise ValueError("must map a model name to [input, cached input, output] USD per 1M tokens")
    prices = dict(DEFAULT_PRICES)
    for model, triple in raw.items():
        if (
            not isinstance(triple, list | tuple)
            or len(triple) != 3
            or not all(isinstance(x, int | float) and not isinstance(x, bool) and x >= 0 for x in triple)
        ):
            raise ValueError(f"price of {model!r} must be [input, cached input, output] per 1M tokens")
        prices[str(model)] = (float(triple[0]), float(triple[1]), float(triple[2]))
    return prices


_PARSERS: dict[str, Any] = {
    "api_key": _secret,
    "base_url": _url,
    "organization": _optional_text,
    "project": _optional_text,
    "model": _text,
    "fallback_models": _models,
    "reasoning_effort": _choice(REASONING_EFFORTS),
    "verbosity": _choice(VERBOSITIES),
    "max_output_tokens": _int_range(16, 128_000),
    "service_tier": _choice(SERVICE_TIERS),
    "store": _bool,
    "truncation": _optional_choice(TRUNCATIONS),
    "temperature": _float_range(0.0, 2.0),
    "top_p": _float_range(0.0, 1.0),
    "prompt_cache_key": _optional_text,
    "stream": _bool,
    "timeout": _float_range(1.0, 3600.0),
    "max_retries": _int_range(0, 10),
    "deadline": _float_range(1.0, 7200.0),
    "max_retry_wait": _float_range(0.0, 3600.0),
    "max_concurrent_calls": _int_range(1, 64),
    "hover": _choice(HOVER_MODES),
    "context_budget": _int_range(0, 200_000),
    "max_selection_chars": _int_range(100, 1_000_000),
    "exclude": _globs,
    "cache_size": _int_range(0, 100_000),
    "prices": _prices,
    "verified_action": _bool,
    "verify_rounds": _int_range(1, 10),
    "sandbox_timeout": _float_range(1.0, 120.0),
    "sandbox_memory_mb": _int_range(64, 16384),
    "preview_edits": _bool,
    "actions": _action_specs,
    "sandbox": _choice(SANDBOXES),
    "bwrap_path": _program,
}

SETTING_NAMES = tuple(_PARSERS)
# Keys editors keep in the same section for themselves (VS Code: gptls.server.path, gptls.trace.server).
CLIENT_ONLY = frozenset({"server", "trace"})
