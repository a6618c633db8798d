"""Settings: documented in the README, validated with messages that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kg.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    row = next(
        (
            line
            for line in README.read_text().splitlines()
            if line.startswith(f"| `KG_{name.upper()}`")
        ),
        None,
    )
    assert row is not None, f"KG_{name.upper()} is missing from the README's settings table"
    description = Settings.model_fields[name].description or ""
    assert description and description in row, f"README row for KG_{name.upper()} is stale"


def test_readme_documents_no_setting_that_does_not_exist() -> None:
    import re

    documented = set(re.findall(r"^\| `KG_([A-Z_]+)` \|", README.read_text(), re.MULTILINE))
    assert documented == {n.upper() for n in Settings.model_fields}


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_PORT", "9123")
    monkeypatch.setenv("KG_STORE", "memory")
    settings = Settings()
    assert settings.port == 9123
    assert settings.store.value == "memory"


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValidationError, match="public_url"):
        Settings(public_url="kg.example.org")
    with pytest.raises(ValidationError, match="port"):
        Settings(port=70000)


def test_base_url_defaults_to_host_and_port() -> None:
    assert Settings(host="127.0.0.1", port=8001).base_url() == "http://127.0.0.1:8001"
    assert Settings(public_url="https://kg.example.org/").base_url() == "https://kg.example.org"
