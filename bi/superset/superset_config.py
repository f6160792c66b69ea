"""Superset settings of this project, for ``make superset`` and the compose service.

Superset loads this file through ``SUPERSET_CONFIG_PATH``. Every secret comes from the environment:
``make superset`` generates them on first set-up into the git-ignored ``.superset/secrets.json`` and
passes them on; the compose file requires them in ``.env``.

- ``SUPERSET_SECRET_KEY`` (required): signs sessions and encrypts the stored database password.
- ``SUPERSET_METADATA_URI`` (optional): Superset's own metadata database; default SQLite in
  ``SUPERSET_HOME``.
"""

import os
from pathlib import Path


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"{name} is not set: start Superset with `make superset` or set it in .env")
    return value


SECRET_KEY = _required("SUPERSET_SECRET_KEY")
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URI") or (
    f"sqlite:///{Path(_required('SUPERSET_HOME')).resolve() / 'superset.db'}"
)

# The warehouse connection reads schema `mart` through a read-only role; no uploads, no DML from SQL Lab.
PREVENT_UNSAFE_DB_CONNECTIONS = True
ROW_LIMIT = 50_000
SQL_MAX_ROW = 100_000
SUPERSET_WEBSERVER_TIMEOUT = 120
# Logins are throttled per client (Flask-Limiter, in-memory per worker).
RATELIMIT_ENABLED = True
AUTH_RATE_LIMITED = True
AUTH_RATE_LIMIT = "5 per second"
RATELIMIT_STORAGE_URI = "memory://"
