"""The landing page, unit pages, the health check and error pages."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app import create_app
from surveys.demo import seed_demo
from tests.conftest import dispose_app_engine


def test_landing_page_links_to_the_district_units(
    client: FlaskClient, db_session: Session
) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    db_session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Quận 1" in page
    assert 'href="/units/q1-ben-nghe"' in page
    assert "Phường Nguyễn Thái Bình" in page
    assert '<html lang="vi">' in page


def test_unit_page_shows_its_counters(client: FlaskClient, db_session: Session) -> None:
    seed_demo(db_session, demo_password="demo-password-1", responses=False)
    db_session.commit()
    page = client.get("/units/q1-tan-dinh").get_data(as_text=True)
    assert "Phường Tân Định" in page
    assert "Quầy Tư pháp – Hộ tịch" in page


def test_empty_database_says_how_to_start(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "seed-demo" in page


def test_english_is_one_click_away_and_remembered(client: FlaskClient) -> None:
    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Units" in english or "No units yet" in english
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_unknown_unit_is_a_404_page_in_vietnamese(client: FlaskClient) -> None:
    response = client.get("/units/no-such-unit")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_health_check_answers_with_the_database_checked(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_health_check_reports_an_unreachable_database(tmp_path: Path) -> None:
    app = create_app(
        {
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}",
        }
    )
    response = app.test_client().get("/healthz")
    dispose_app_engine(app)
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
