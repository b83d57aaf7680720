"""Configuration comes from HAILONG_* variables; no secret is written in the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app


def test_environment_variables_with_the_prefix_configure_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HAILONG_DATABASE_URL", "sqlite:///elsewhere.sqlite3")
    monkeypatch.setenv("HAILONG_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("HAILONG_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("HAILONG_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("HAILONG_PUBLIC_BASE_URL", "https://hailong.quan1.gov.vn")
    monkeypatch.setenv("HAILONG_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("HAILONG_MAX_CONTENT_LENGTH", "65536")
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:///elsewhere.sqlite3"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert app.config["PUBLIC_BASE_URL"] == "https://hailong.quan1.gov.vn"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 65536
    assert not (tmp_path / "secret_key").exists()


def test_defaults_live_in_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "RATELIMIT_STORAGE_URI",
        "PUBLIC_BASE_URL",
        "SESSION_COOKIE_SECURE",
        "MAX_CONTENT_LENGTH",
    ):
        monkeypatch.delenv(f"HAILONG_{name}", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'hailong.sqlite3'}"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert app.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    # Flask has defaults of its own for these; ours must win over them.
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["MAX_CONTENT_LENGTH"] == 20 * 1024 * 1024


def test_without_a_key_one_is_generated_once_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HAILONG_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")}).config["SECRET_KEY"]
    assert len(first) == 64
    assert first == second != other
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert not list(tmp_path.glob(".secret_key.*"))
