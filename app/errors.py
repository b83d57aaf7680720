"""Error pages in the visitor's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from app.i18n import lazy_gettext
from app.security import InvalidCharacters

#: Each status's title and explanation; others get the generic error page.
PAGES = {
    403: (
        lazy_gettext("Không có quyền truy cập"),
        lazy_gettext("Tài khoản của Ông/Bà không được phép thực hiện thao tác này."),
    ),
    404: (
        lazy_gettext("Không tìm thấy trang"),
        lazy_gettext("Địa chỉ này không tồn tại hoặc đã bị gỡ."),
    ),
    410: (
        lazy_gettext("Không tìm thấy trang"),
        lazy_gettext("Địa chỉ này không tồn tại hoặc đã bị gỡ."),
    ),
    413: (
        lazy_gettext("Dữ liệu gửi lên quá lớn"),
        lazy_gettext("Nội dung gửi lên vượt quá giới hạn cho phép."),
    ),
    429: (
        lazy_gettext("Thao tác quá nhanh"),
        lazy_gettext(
            "Hệ thống nhận quá nhiều yêu cầu từ thiết bị này. Vui lòng đợi ít phút "
            "rồi thử lại."
        ),
    ),
    500: (
        lazy_gettext("Đã xảy ra lỗi"),
        lazy_gettext(
            "Hệ thống gặp sự cố nên thao tác vừa rồi có thể chưa được thực hiện. "
            "Vui lòng thử lại sau ít phút; gửi lại một đánh giá không làm nó bị "
            "tính hai lần."
        ),
    ),
    503: (
        lazy_gettext("Hệ thống tạm thời không ghi được dữ liệu"),
        lazy_gettext(
            "Thao tác vừa rồi có thể chưa được ghi nhận. Vui lòng thử lại sau ít "
            "phút; gửi lại một đánh giá không làm nó bị tính hai lần."
        ),
    ),
}
#: Seconds a client is asked to wait after the database refused a request.
RETRY_AFTER = 60
INVALID_CHARACTERS = (
    lazy_gettext("Yêu cầu không hợp lệ"),
    lazy_gettext(
        "Dữ liệu gửi lên có ký tự không hợp lệ. Vui lòng kiểm tra lại nội dung "
        "rồi gửi lại."
    ),
)
SESSION_EXPIRED = (
    lazy_gettext("Phiên làm việc đã hết hạn"),
    lazy_gettext("Vui lòng tải lại trang đánh giá và gửi lại."),
)


def init_app(app: Flask) -> None:
    """Render HTTP errors with the site's layout."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return _page(*PAGES.get(status, PAGES[500])), status

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[str, int]:
        # Mostly a page left open past its session: say so, in plain words.
        return _page(*SESSION_EXPIRED), 400

    @app.errorhandler(InvalidCharacters)
    def _invalid_characters(_error: InvalidCharacters) -> tuple[str, int]:
        return _page(*INVALID_CHARACTERS), 400

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error: OperationalError | PoolTimeout) -> Response:
        # The database refused or lost the request (disk full, connection gone),
        # or every pooled connection stayed busy: its transaction was rolled back,
        # unless the connection went in the middle of a commit, so the page says
        # it may not have been stored.
        app.logger.error("database unavailable: %s", getattr(error, "orig", error))
        answer = make_response(_page(*PAGES[503]), 503)
        answer.headers["Retry-After"] = str(RETRY_AFTER)
        return answer

    @app.errorhandler(InternalServerError)
    def _server_error(_error: InternalServerError) -> tuple[str, int]:
        return _page(*PAGES[500]), 500


def _page(title: object, text: object) -> str:
    return render_template("error.html", title=title, text=text)
