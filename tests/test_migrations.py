"""Migrations build exactly the models' schema, on both databases, and undo cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from surveys.db import make_engine
from surveys.models import Base
from surveys.schema import downgrade_to_base, heads, upgrade_to_head


def schema_differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_there_is_a_single_head() -> None:
    assert len(heads()) == 1


def test_upgrade_on_an_empty_database_gives_the_models_schema(
    empty_database_url: str,
) -> None:
    assert table_names(empty_database_url) == set()
    upgrade_to_head(empty_database_url)
    assert table_names(empty_database_url) == set(Base.metadata.tables)
    assert schema_differences(empty_database_url) == []


def test_downgrade_to_base_removes_every_table(empty_database_url: str) -> None:
    upgrade_to_head(empty_database_url)
    downgrade_to_base(empty_database_url)
    assert table_names(empty_database_url) == set()
    upgrade_to_head(empty_database_url)
    assert schema_differences(empty_database_url) == []
