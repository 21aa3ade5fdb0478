"""Settings: declared once, documented, overridable from the environment, refused with a clear cause."""

from __future__ import annotations

import pytest

from server.settings import PROJECT_DIR, SETTINGS, Settings, SettingsError


@pytest.mark.parametrize("setting", SETTINGS, ids=[setting.name for setting in SETTINGS])
def test_every_setting_is_documented_in_the_readme(setting) -> None:
    """A setting a user cannot find in the README does not exist for them."""
    assert f"`{setting.env_var}`" in (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def test_environment_overrides_the_default_and_explicit_values_override_both() -> None:
    """Defaults, then GOVSOCIAL_* variables, then explicit values (command-line flags, tests)."""
    assert Settings(environ={}).query_timeout_s == 30
    assert Settings(environ={"GOVSOCIAL_QUERY_TIMEOUT_S": "2.5"}).query_timeout_s == 2.5
    assert Settings({"query_timeout_s": 4}, environ={"GOVSOCIAL_QUERY_TIMEOUT_S": "2.5"}).query_timeout_s == 4


def test_the_allowlist_is_a_space_separated_list() -> None:
    """Several federation endpoints fit in one variable."""
    settings = Settings(environ={"GOVSOCIAL_SERVICE_ALLOWLIST": "https://a.example/sparql  http://b.example/q"})
    assert settings.service_allowlist == ("https://a.example/sparql", "http://b.example/q")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("GOVSOCIAL_QUERY_TIMEOUT_S", "-1"), ("GOVSOCIAL_PORT", "eighty"), ("GOVSOCIAL_CORS", "maybe")],
)
def test_a_bad_value_names_the_variable_to_fix(variable: str, value: str) -> None:
    """The error message names the environment variable and the value, so the user knows what to change."""
    with pytest.raises(SettingsError, match=variable):
        Settings(environ={variable: value})


def test_unknown_explicit_settings_are_refused() -> None:
    """A misspelt setting in code is an error, not a silently ignored value."""
    with pytest.raises(SettingsError, match="query_timeout"):
        Settings({"query_timeout": 3})
