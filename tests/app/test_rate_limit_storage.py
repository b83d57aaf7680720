"""Rate limits hold across processes when their state lives in Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from app import create_app
from app.db import EXTENSION
from app.security import DEVICE_COOKIE
from tests.app.test_survey import hidden_fields
from tests.builders import make_code, make_counter_campaign

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def two_workers(
    redis_url: str, database_url: str, bound_factory: sessionmaker[Session], tmp_path
) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances (as two gunicorn workers) sharing one Redis."""
    prefix = f"hailong-test-{uuid.uuid4().hex[:8]}"
    apps = []
    for number in (1, 2):
        app = create_app(
            {
                # One key for both workers, a new one per test: no count carries over.
                "SECRET_KEY": f"shared-secret-{prefix}",
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path / f"worker{number}"),
                "RATELIMIT_STORAGE_URI": redis_url,
                "RATELIMIT_KEY_PREFIX": prefix,
                "SURVEY_LIMIT_DEVICE": "2/minute",
            }
        )
        app.extensions[EXTENSION] = bound_factory
        apps.append(app)
    yield apps[0], apps[1]
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_the_device_limit_is_shared_by_every_worker(
    two_workers: tuple[Flask, Flask], db_session: Session
) -> None:
    campaign, point = make_counter_campaign(db_session)
    token = make_code(db_session, campaign, kind="standing", service_point=point).token
    db_session.commit()
    statuses = []
    device_id = None  # one phone: the id the first worker gave it, sent to all
    for app in (*two_workers, two_workers[0]):
        client = app.test_client()
        if device_id is not None:
            client.set_cookie(DEVICE_COOKIE, device_id)
        page = client.get(f"/s/{token}").get_data(as_text=True)
        device_id = client.get_cookie(DEVICE_COOKIE).value
        form = hidden_fields(page) | {"overall": "4"}
        statuses.append(client.post(f"/s/{token}", data=form).status_code)
    assert statuses == [303, 303, 429]


def test_the_shared_counters_hold_no_raw_address(
    two_workers: tuple[Flask, Flask], db_session: Session, redis_url: str
) -> None:
    campaign, point = make_counter_campaign(db_session)
    token = make_code(db_session, campaign, kind="standing", service_point=point).token
    db_session.commit()
    client = two_workers[0].test_client()
    page = client.get(f"/s/{token}").get_data(as_text=True)
    client.post(f"/s/{token}", data=hidden_fields(page) | {"overall": "4"})
    # Every rate-limit counter in Redis, whichever app instance wrote it.
    keys = [
        key.decode() for key in redis.Redis.from_url(redis_url).scan_iter("LIMITS*")
    ]
    assert any(token in key for key in keys), "the limits should have counted the post"
    assert not any("127.0.0.1" in key for key in keys)
