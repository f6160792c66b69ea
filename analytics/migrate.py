"""Schema migrations: alembic on the warehouse (``analytics db upgrade`` / ``downgrade``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from analytics.config import PROJECT_ROOT

__all__ = ["upgrade", "downgrade", "current"]


def _config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["warehouse_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(_config(url), revision)


def current(url: str) -> None:
    command.current(_config(url), verbose=False)
