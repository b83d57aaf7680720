"""Exit 0 when PostgreSQL answers at the URL given, 1 otherwise (for make test)."""

import sys

import psycopg
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1]).set(drivername="postgresql")
try:
    psycopg.connect(
        url.render_as_string(hide_password=False), connect_timeout=3
    ).close()
except psycopg.Error:
    sys.exit(1)
