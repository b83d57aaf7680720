"""Bring a database's schema to the models' version with the Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def alembic_config(
    url: str | None = None, connection: Connection | None = None
) -> Config:
    """Return the Alembic configuration for the project's ``migrations/`` folder."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = url
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(url: str) -> None:
    """Apply every migration not yet applied to the database at ``url``."""
    command.upgrade(alembic_config(url), "head")


def downgrade_to_base(url: str) -> None:
    """Undo every migration (drops all of hailong's tables)."""
    command.downgrade(alembic_config(url), "base")


def heads() -> list[str]:
    """Return the migration heads; there must be exactly one."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
