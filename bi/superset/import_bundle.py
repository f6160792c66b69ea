"""Import the dashboards bundle (``bi/superset/bundle``) into Superset, pointing it at the warehouse.

Runs with Superset's own Python (``make superset``, the compose service), after ``superset db upgrade``
and ``superset init``:

    SUPERSET_WAREHOUSE_URI=postgresql+psycopg2://superset_bi:...@host:5432/analytics \\
        python bi/superset/import_bundle.py [BUNDLE_DIR] [--username admin]

The bundle's database file holds a placeholder URI; the warehouse URI comes only from
``SUPERSET_WAREHOUSE_URI`` (Superset stores its password encrypted with its SECRET_KEY). Every object is
created or updated in place by UUID, so re-running the import refreshes the dashboards.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

DEFAULT_BUNDLE = Path(__file__).resolve().parent / "bundle"


def read_bundle(folder: Path) -> dict[str, str]:
    """``{relative path: YAML text}`` of every file of the bundle, as Superset's importer expects."""
    contents = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*.yaml")}
    if "metadata.yaml" not in contents:
        raise SystemExit(f"error: {folder} is not a Superset bundle (no metadata.yaml)")
    return contents


def with_warehouse_uri(contents: dict[str, str], uri: str) -> dict[str, str]:
    """The bundle with the URI of every database file replaced by ``uri``."""
    result = dict(contents)
    for name, text in contents.items():
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            config["sqlalchemy_uri"] = uri
            result[name] = yaml.safe_dump(config, sort_keys=False)
    return result


def import_bundle(contents: dict[str, str], username: str) -> None:
    """Run Superset's assets import as ``username`` (it needs a user allowed to write databases)."""
    from flask import g
    from superset.app import create_app

    with create_app().app_context():
        # Superset's models and commands can only be imported once the app exists.
        from superset import security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand

        user = security_manager.find_user(username=username)
        if user is None:
            raise SystemExit(f"error: no Superset user {username!r}; create the admin first")
        g.user = user
        ImportAssetsCommand(contents).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--username", default=os.environ.get("SUPERSET_ADMIN_USERNAME", "admin"))
    args = parser.parse_args(argv)
    uri = os.environ.get("SUPERSET_WAREHOUSE_URI", "").strip()
    if not uri:
        print("error: SUPERSET_WAREHOUSE_URI is not set (the warehouse URI of the bi_reader login)", file=sys.stderr)
        return 1
    contents = with_warehouse_uri(read_bundle(args.bundle), uri)
    import_bundle(contents, args.username)
    print(f"imported {len(contents)} files from {args.bundle}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
