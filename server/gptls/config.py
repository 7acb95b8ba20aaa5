"""Settings: one immutable object, built from the user's own places and the client's options.

No other module reads ``os.environ``. Names are snake_case in Python and camelCase on the wire
(``initializationOptions`` and the ``gptls`` configuration section).

Settings have a provenance. What an editor sends (``initializationOptions``, ``workspace/configuration``) may
come from the project the user opened: VS Code merges a folder's ``.vscode/settings.json`` in, Eglot merges
``.dir-locals.el``. So the settings that decide where the API key goes, what program runs and what OpenAI
keeps (``PROTECTED``) are taken only from the user's own places: the environment and gptls' user config file
(``$XDG_CONFIG_HOME/gptls/config.json`` or ``.toml``), and at the command line its flags and ``--config``.
From an editor they are ignored, with a warning. The built-in secret patterns of ``exclude`` always apply.

Each setting is declared once, as a field of ``Settings`` made by ``setting()``: its name (snake_case here,
camelCase on the wire), type, default, kind of value (``config_values``: what is valid, and its JSON schema),
description, and the environment variable of a protected one. Everything else — the parsers, the protected
table, the names an editor may send — is derived from the fields; tests keep the VS Code ``package.json``,
``client-vscode/src/settings.ts`` and the tables in docs/ equal to them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gptls.config_values import (
    ActionSpec,
    ActionSpecs,
    Bool,
    Choice,
    FloatRange,
    Globs,
    IntRange,
    Names,
    OptionalChoice,
    OptionalFloat,
    OptionalText,
    Price,
    Prices,
    Program,
    Secret,
    SecretText,
    Text,
    Url,
    Value,
)

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
SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
# What OpenAI names as gpt-5-mini's replacements (shut down 2026-12-11), newest recommendation first.
DEFAULT_FALLBACK_MODELS = ("gpt-6.1-terra", "gpt-5.6-terra")
# Reasoning model families: they refuse temperature and top_p (only the default, 1, is accepted).
REASONING_FAMILIES = ("gpt-5", "gpt-6", "o1", "o3", "o4")

# Every effort some model takes, in order: gpt-5-mini takes minimal..high, newer models none..xhigh. A value
# the configured model refuses is replaced by its nearest supported one, with a warning (openai/refusals.py).
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
VERBOSITIES = ("low", "medium", "high")
SERVICE_TIERS = ("auto", "default", "flex", "priority")
HOVER_MODES = ("auto", "cached", "off")
# Chosen from bench/typing.py: at 60 ms a character, shorter waits call mid-word, longer ones feel slow.
DEFAULT_DEBOUNCE_MS = 300
TRUNCATIONS = ("auto", "disabled")

# Per 1M tokens, USD: (input, cached input, output). Prices change; users override with `prices`.
DEFAULT_PRICES: dict[str, Price] = {
    "gpt-5-mini": (0.25, 0.025, 2.00),
    "gpt-5": (1.25, 0.125, 10.00),
    "gpt-5-nano": (0.05, 0.005, 0.40),
}

# The built-in actions' titles (without "gptls: "): a settings-defined action may not pass for one of them.
# tests/unit/test_trust.py keeps this equal to the actions' own titles.
BUILT_IN_TITLES = (
    "Generate function",
    "Generate function (verified)",
    "Explain complexity",
    "Insert complexity comment",
    "Explain this code",
    "Suggest refactor",
    "Edit as instructed",
    "Add docstring",
    "Write tests",
    "Fix",
)

T = TypeVar("T")
DECLARED = "gptls.setting"


@dataclass(frozen=True)
class Declared:
    """One setting's declaration, kept in its field's metadata."""

    value: Value[Any]
    doc: str
    env: str | None = None  # set: protected, taken only from this variable, the user config file or the CLI
    protects: str = ""  # what it decides, for the message when an editor sets it


def setting(
    default: T,
    value: Value[T],
    doc: str,
    *,
    env: str | None = None,
    protects: str = "",
    factory: Callable[[], T] | None = None,
    **field_options: Any,
) -> T:
    """A declared setting. Typed so that mypy checks the default and the value's parser against the field."""
    metadata = {DECLARED: Declared(value, doc, env, protects)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata, **field_options)
    return field(default=default, metadata=metadata, **field_options)


@dataclass(frozen=True)
class Settings:
    """Everything gptls can be configured with. Defaults favour low cost and privacy."""

    api_key: Secret = setting(
        Secret(""),
        SecretText(),
        "The OpenAI API key.",
        env="OPENAI_API_KEY",
        protects="which account pays",
        repr=False,
        compare=False,
    )
    base_url: str = setting(
        DEFAULT_BASE_URL,
        Url(),
        "An OpenAI-compatible Responses endpoint (Azure OpenAI, LiteLLM, vLLM, Ollama).",
        env="OPENAI_BASE_URL",
        protects="where your API key and code are sent",
    )
    organization: str | None = setting(
        None,
        OptionalText(),
        "OpenAI organization (OpenAI-Organization header).",
        env="OPENAI_ORG_ID",
        protects="which organization is billed",
    )
    project: str | None = setting(
        None,
        OptionalText(),
        "OpenAI project (OpenAI-Project header).",
        env="OPENAI_PROJECT_ID",
        protects="which project is billed",
    )

    model: str = setting(DEFAULT_MODEL, Text(), "The model.")
    fallback_models: tuple[str, ...] = setting(
        DEFAULT_FALLBACK_MODELS, Names(), "Where gptls switches once the model is shut down; [] never."
    )
    reasoning_effort: str = setting("low", Choice(REASONING_EFFORTS), "reasoning.effort")
    verbosity: str = setting("low", Choice(VERBOSITIES), "text.verbosity")
    max_output_tokens: int = setting(8000, IntRange(16, 128_000), "max_output_tokens (reasoning included).")
    service_tier: str = setting("auto", Choice(SERVICE_TIERS), "service_tier.")
    store: bool = setting(
        False,
        Bool(),
        "Let OpenAI store responses.",
        env="GPTLS_STORE",
        protects="whether OpenAI keeps your code",
    )
    truncation: str | None = setting(None, OptionalChoice(TRUNCATIONS), "truncation, sent only when set.")
    temperature: float | None = setting(None, OptionalFloat(0.0, 2.0), "Only for non-reasoning models.")
    top_p: float | None = setting(None, OptionalFloat(0.0, 1.0), "Only for non-reasoning models.")
    prompt_cache_key: str | None = setting("gptls", OptionalText(), "prompt_cache_key.")
    stream: bool = setting(True, Bool(), "Stream answers.")

    timeout: float = setting(60.0, FloatRange(1.0, 3600.0), "Seconds to wait for each answer.")
    max_retries: int = setting(3, IntRange(0, 10), "Retries for rate limits, 5xx, timeouts.")
    deadline: float = setting(180.0, FloatRange(1.0, 7200.0), "Seconds for a whole call, retries included.")
    max_retry_wait: float = setting(60.0, FloatRange(0.0, 3600.0), "A longer retry-after is not waited for.")

    max_concurrent_calls: int = setting(4, IntRange(1, 64), "Model calls in flight at once.")
    hover: str = setting("auto", Choice(HOVER_MODES), "Hover: auto, cached or off.")
    context_budget: int = setting(6000, IntRange(0, 200_000), "Characters of context sent with the target.")
    index_max_files: int = setting(
        20_000, IntRange(0, 500_000), "Source files the workspace index reads at most; 0: no index (this file only)."
    )
    max_selection_chars: int = setting(60000, IntRange(100, 1_000_000), "Larger selections are refused.")
    exclude: tuple[str, ...] = setting(
        DEFAULT_EXCLUDE, Globs(DEFAULT_EXCLUDE), "More files never sent; the built-in secret patterns always apply."
    )
    cache_size: int = setting(256, IntRange(0, 100_000), "Answers kept in memory.")
    verified_action: bool = setting(True, Bool(), "Offer Generate function (verified).")
    verify_rounds: int = setting(3, IntRange(1, 10), "Test runs the model may ask for.")
    sandbox_timeout: float = setting(10.0, FloatRange(1.0, 120.0), "Seconds a test run may take.")
    sandbox_memory_mb: int = setting(512, IntRange(64, 16384), "Address-space limit of a test run.")
    preview_edits: bool = setting(
        True,
        Bool(),
        "Preview reviewed edits where the editor can.",
        env="GPTLS_PREVIEW_EDITS",
        protects="whether you review the model's rewrites before they land",
    )
    actions: tuple[ActionSpec, ...] = setting((), ActionSpecs(BUILT_IN_TITLES), "Settings-defined actions.")
    completions: bool = setting(True, Bool(), "Inline completions (ghost text) where the editor asks for them.")
    completions_disabled_languages: tuple[str, ...] = setting(
        (), Names(), "Language ids (python, markdown...) with no inline completions."
    )
    completion_model: str | None = setting(None, OptionalText(), "The model for completions; empty: gptls.model.")
    completion_effort: str = setting("minimal", Choice(REASONING_EFFORTS), "reasoning.effort for completions.")
    completion_max_output_tokens: int = setting(
        400, IntRange(16, 8000), "max_output_tokens for a completion (reasoning included)."
    )
    completion_debounce_ms: int = setting(
        DEFAULT_DEBOUNCE_MS, IntRange(0, 5000), "Typing pause before an automatic completion is requested."
    )
    daily_budget: float = setting(
        0.0,
        FloatRange(0.0, 1_000_000.0),
        "USD a day; once reached, automatic completions and hovers pause (actions go on). 0: none.",
        env="GPTLS_DAILY_BUDGET",
        protects="how much gptls may spend a day",
    )
    sandbox: str = setting(
        "auto",
        Choice(SANDBOXES),
        "The boundary for model-written code.",
        env="GPTLS_SANDBOX",
        protects="how model-written code is confined",
    )
    bwrap_path: str = setting(
        "",
        Program(),
        "An absolute path to a bwrap to use.",
        env="GPTLS_BWRAP_PATH",
        protects="which program gptls runs",
    )
    prices: Mapping[str, Price] = setting(
        DEFAULT_PRICES,
        Prices(DEFAULT_PRICES),
        "USD per 1M tokens: [input, cached input, output].",
        env="GPTLS_PRICES",
        protects="what gptls tells you calls cost",
        factory=lambda: dict(DEFAULT_PRICES),
        compare=False,
    )

    # Not settings: where gptls keeps state and finds the user config file, and a test knob.
    state_dir: str = ""
    config_file: str = ""
    # Environment only (GPTLS_LANDLOCK_ABI): use at most this Landlock ABI, to run the sandbox as an older
    # kernel would (the attack suite does); 0: all the kernel offers.
    landlock_abi: int = 0

    def updated(
        self, options: Mapping[str, Any] | None, *, trusted: bool = True, base: Settings | None = None
    ) -> ConfigUpdate:
        """Apply camelCase options; bad values keep the previous value and are reported.

        ``trusted``: the options come from the user's own places. Otherwise (an editor's settings) a
        protected setting is ignored and listed in ``ignored``, and ``exclude`` only adds patterns.
        ``base``: what an emptied setting goes back to (the user's own settings; default: the defaults)."""
        changes: dict[str, Any] = {}
        errors: list[str] = []
        unknown: list[str] = []
        ignored: list[str] = []
        for key, raw in (options or {}).items():
            if key in CLIENT_ONLY:
                continue
            name = snake(key)
            declared = DECLARATIONS.get(name)
            if declared is None:
                unknown.append(key)
                continue
            if raw is None or (raw == "" and name == "api_key"):
                continue  # an unset client setting means "keep what we have"
            if declared.env is not None and not trusted:
                ignored.append(key)
                continue
            if raw == "":
                # An emptied setting goes back to the user's own value.
                changes[name] = getattr(base if base is not None else Settings(), name)
                continue
            try:
                changes[name], warnings = declared.value.parse(raw)
            except (TypeError, ValueError) as exc:
                errors.append(f"gptls setting {key!r}: {exc}; keeping {_show(getattr(self, name))}")
                continue
            errors += warnings
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


# Derived from the declarations: the only lists of settings there are.
DECLARATIONS: dict[str, Declared] = {
    f.name: f.metadata[DECLARED] for f in dataclasses.fields(Settings) if DECLARED in f.metadata
}
SETTING_NAMES = tuple(DECLARATIONS)
PROTECTED: dict[str, str] = {name: d.env for name, d in DECLARATIONS.items() if d.env is not None}
# Keys editors keep in the same section for themselves (VS Code: gptls.server.path, gptls.trace.server).
CLIENT_ONLY = frozenset({"server", "trace"})


@dataclass(frozen=True)
class ConfigUpdate:
    settings: Settings
    errors: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()  # protected settings an editor sent (camelCase): not applied


def secret_environment_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of this process' environment variables whose names look secret (``*KEY*``, ``*TOKEN*``,
    ``*SECRET*``, ``*PASSWORD*``…): never shown, wherever they turn up."""
    env = os.environ if environ is None else environ
    return [value for name, value in env.items() if SECRET_NAME.search(name) and len(value.strip()) >= 6]


def takes_sampling_parameters(model: str) -> bool:
    """False for reasoning models (gpt-5 family and later, o-series): they refuse temperature and top_p."""
    name = model.lower().rsplit("/", 1)[-1]  # "openai/gpt-5-mini" on a proxy is still gpt-5-mini
    return not name.startswith(REASONING_FAMILIES)


def snake(key: str) -> str:
    """A wire (camelCase) name as the Python one."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def camel(name: str) -> str:
    """A Python (snake_case) name as the wire one."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def _show(value: Any) -> str:
    return "the hidden key" if isinstance(value, Secret) else repr(value)
