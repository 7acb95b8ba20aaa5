"""Each setting is declared once (config.py); every other list of settings is checked against it here, so
adding a setting touches its declaration and whatever this test then names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gptls.config import DECLARATIONS, PROTECTED, SETTING_NAMES, Settings, camel

REPO = Path(__file__).resolve().parents[2]
_CATEGORIES: list[dict[str, Any]] = json.loads((REPO / "client-vscode" / "package.json").read_text())["contributes"][
    "configuration"
]
# VS Code's settings, from every category the extension contributes (each a titled, ordered group).
CONTRIBUTED: dict[str, dict[str, Any]] = {
    name: spec for part in _CATEGORIES for name, spec in part["properties"].items()
}
SETTINGS_TS = (REPO / "client-vscode" / "src" / "settings.ts").read_text()
VSCODE_NAMES = [name for name in SETTING_NAMES if name != "api_key"]  # the key lives in secret storage


def _vscode_default(name: str) -> Any:
    """The server's default as VS Code holds it: lists for tuples; "" for an unset string (the extension
    leaves "" out, so the server keeps its own); {} for no price overrides; [] for no extra excludes."""
    value = getattr(Settings(), name)
    if name == "exclude":
        return []
    if name == "prices":
        return {}
    return list(value) if isinstance(value, tuple) else value


def test_vscode_contributes_each_setting_as_declared() -> None:
    for name in VSCODE_NAMES:
        key = "gptls." + camel(name)
        contributed = CONTRIBUTED.get(key)
        assert contributed is not None, f"{key} is not in client-vscode/package.json"
        schema = DECLARATIONS[name].value.schema()
        for part in ("type", "enum", "minimum", "maximum"):
            assert contributed.get(part) == schema.get(part), f"{key}: {part}"
        default = contributed.get("default")
        declared = _vscode_default(name)
        assert default == declared or (default == "" and declared in (None, Settings().base_url)), key
        assert contributed.get("description") or contributed.get("markdownDescription"), key
        protected = name in PROTECTED
        assert (contributed.get("scope") == "application") == protected, f"{key}: scope"


def test_vscode_contributes_no_server_setting_that_is_not_declared() -> None:
    extension_own = {"gptls.server.path", "gptls.server.python", "gptls.server.importStrategy", "gptls.trace.server"}
    declared = {"gptls." + camel(name) for name in VSCODE_NAMES}
    assert set(CONTRIBUTED) - extension_own == declared


def test_the_extension_lists_the_declared_settings() -> None:
    listed = re.findall(
        r'^  "(\w+)",$', SETTINGS_TS.split("export const SERVER_SETTINGS")[1].split("] as const")[0], re.M
    )
    assert sorted(listed) == sorted(camel(name) for name in VSCODE_NAMES)
    block = SETTINGS_TS.split("export const PROTECTED_SETTINGS")[1].split("};")[0]
    protected = dict(re.findall(r"(\w+): \"(\w+)\"", block))
    assert protected == {camel(name): env for name, env in PROTECTED.items() if name != "api_key"}


def test_the_docs_document_each_setting() -> None:
    table = (REPO / "docs" / "configuration.md").read_text()
    for name in SETTING_NAMES:
        assert f"`{camel(name)}`" in table, f"docs/configuration.md does not mention {camel(name)}"
    for env in PROTECTED.values():
        assert f"`{env}`" in table, env


def test_mypy_sees_each_parsers_type() -> None:
    # setting() is typed so that a parser returning another type than its field fails mypy (the CI runs it);
    # here: each declared value parses its own default back to itself, where the default is a wire value.
    defaults = Settings()
    for name, declared in DECLARATIONS.items():
        value = getattr(defaults, name)
        if value is None or name in ("api_key", "prices", "exclude"):
            continue
        wire = list(value) if isinstance(value, tuple) else value
        assert declared.value(wire) == value, name


def test_the_extensions_own_page_names_every_action() -> None:
    from gptls.config import BUILT_IN_TITLES

    page = " ".join((REPO / "client-vscode" / "README.md").read_text().split())
    missing = [title for title in BUILT_IN_TITLES if f"*{title}*" not in page]
    assert missing == [], f"client-vscode/README.md does not name {missing}"


def test_the_docs_vscode_settings_table_shows_the_extensions_defaults() -> None:
    # docs/editors.md's VS Code section lists settings with their defaults: each must be the one package.json
    # declares (a row may name several settings, with their defaults in the same order).
    import json

    declared: dict[str, object] = {}
    contributes = json.loads((REPO / "client-vscode" / "package.json").read_text())["contributes"]["configuration"]
    for part in contributes if isinstance(contributes, list) else [contributes]:
        declared.update({name: spec.get("default") for name, spec in part["properties"].items()})

    def shown(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ", ".join(map(str, value)) if value else "[]"
        return '""' if value == "" else str(value)

    section = (
        (REPO / "docs" / "editors.md").read_text().split("## VS Code")[1].split("**Troubleshooting (VS Code)**")[0]
    )
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `gptls.")]
    assert len(rows) >= 15
    for name_cell, default_cell, *_ in rows:
        names = re.findall(r"`(gptls\.[\w.]+)`", name_cell)
        defaults = re.findall(r"`([^`]*)`", default_cell)
        assert len(names) == len(defaults), name_cell
        for name, default in zip(names, defaults, strict=True):
            assert name in declared, f"docs/editors.md names {name}, which package.json does not declare"
            assert default == shown(declared[name]), f"docs/editors.md says {name} defaults to {default}"


def test_vscode_shows_the_model_and_completions_settings_first_in_ordered_groups() -> None:
    # The settings UI lists categories by their order and settings by theirs (else alphabetically: the model
    # was buried among 46).
    assert [part["order"] for part in _CATEGORIES] == list(range(1, len(_CATEGORIES) + 1))
    first, second = _CATEGORIES[0]["properties"], _CATEGORIES[1]["properties"]
    assert next(iter(first)) == "gptls.model" and first["gptls.model"]["order"] == 0
    assert "Set API Key" in first["gptls.model"]["markdownDescription"], "the model's setting says where the key goes"
    assert next(iter(second)) == "gptls.completions"
    for part in _CATEGORIES:
        assert [spec["order"] for spec in part["properties"].values()] == list(range(len(part["properties"])))
