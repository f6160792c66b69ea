"""Superset dashboards as code: the compact spec ``bi/superset/spec.yaml`` -> Superset's import bundle.

``python -m analytics.superset_bundle`` rewrites ``bi/superset/bundle/`` (``--check`` only compares and
exits 1 when the committed bundle is out of date). The bundle is Superset's assets format (version 1.0.0):
``metadata.yaml``, ``databases/``, ``datasets/<database>/``, ``charts/``, ``dashboards/``, cross-referenced
by UUID. Every UUID is derived from the object's key in the spec (UUID 5), so a regeneration yields the
same objects and a re-import updates them in place.

The database file carries a placeholder URI without a password: the importer
(``bi/superset/import_bundle.py``) substitutes the warehouse URI it is given. Nothing here imports
Superset; this runs in the project's venv and in tests.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from analytics.config import PROJECT_ROOT

__all__ = [
    "BUNDLE_DIR",
    "PLACEHOLDER_URI",
    "SPEC_FILE",
    "SpecError",
    "build_bundle",
    "dashboard_slug",
    "load_spec",
    "object_uuid",
    "render_bundle",
    "stale_files",
    "write_bundle",
]

SUPERSET_DIR = PROJECT_ROOT / "bi" / "superset"
SPEC_FILE = SUPERSET_DIR / "spec.yaml"
BUNDLE_DIR = SUPERSET_DIR / "bundle"
EXPORT_VERSION = "1.0.0"
MART_SCHEMA = "mart"
# Replaced at import time by the env-supplied URI (SUPERSET_WAREHOUSE_URI); never holds a password.
PLACEHOLDER_URI = "postgresql+psycopg2://superset_bi@warehouse:5432/analytics"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "customer-analytics-warehouse/superset")
GRID_COLUMNS = 12
DEFAULT_CHART_HEIGHT = 50
# Chart params that name dataset metrics, and those that name dataset columns.
METRIC_PARAMS = ("metric", "metrics", "percent_metrics", "timeseries_limit_metric")
COLUMN_PARAMS = ("x_axis", "groupby", "all_columns", "columns", "series")
# The settings a dataset column or metric may have; anything else is a slip (e.g. an unquoted comma in a YAML
# flow mapping splits an expression into a key of its own).
COLUMN_KEYS = {"type", "temporal", "label", "description"}
METRIC_KEYS = {"expression", "label", "format", "description"}


class SpecError(ValueError):
    """The spec is inconsistent (a chart names a missing dataset, metric or column, a row is too wide...)."""


def object_uuid(kind: str, key: str) -> str:
    """The stable UUID of a spec object: UUID 5 of ``<kind>/<key>`` in the project's namespace."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{key}"))


def dashboard_slug(key: str) -> str:
    """The dashboard's URL slug (``/superset/dashboard/<slug>/``)."""
    return key.replace("_", "-")


def load_spec(path: Path = SPEC_FILE) -> dict[str, Any]:
    """Read the spec file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- datasets ----------------------------------------------------------------------------------------


def _check_keys(dataset: str, kind: str, items: Mapping[str, Mapping[str, Any]], allowed: set[str]) -> None:
    for name, settings in items.items():
        unknown = sorted(set(settings) - allowed)
        if unknown:
            raise SpecError(f"dataset {dataset}: {kind} {name} has unknown settings {unknown} (quote a comma)")


def _dataset(key: str, spec: Mapping[str, Any], database_uuid: str) -> dict[str, Any]:
    _check_keys(key, "column", spec["columns"], COLUMN_KEYS)
    _check_keys(key, "metric", spec.get("metrics", {}), METRIC_KEYS)
    columns = [
        {
            "column_name": name,
            "verbose_name": col.get("label"),
            "is_dttm": bool(col.get("temporal", False)),
            "is_active": True,
            "type": col["type"],
            "groupby": True,
            "filterable": True,
            "expression": None,
            "description": col.get("description"),
            "python_date_format": None,
            "extra": {},
        }
        for name, col in spec["columns"].items()
    ]
    metrics = [
        {
            "metric_name": name,
            "verbose_name": metric.get("label"),
            "metric_type": None,
            "expression": metric["expression"],
            "description": metric.get("description"),
            "d3format": metric.get("format"),
            "extra": {},
            "warning_text": None,
        }
        for name, metric in spec.get("metrics", {}).items()
    ]
    return {
        "table_name": key,
        "main_dttm_col": spec.get("time_column"),
        "description": spec.get("description"),
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "schema": MART_SCHEMA,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "uuid": object_uuid("dataset", key),
        "metrics": metrics,
        "columns": columns,
        "version": EXPORT_VERSION,
        "database_uuid": database_uuid,
    }


# --- charts ------------------------------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    """Metric or column names in a param value (a name or a list of names; ad-hoc dicts are skipped)."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _check_chart_refs(key: str, chart: Mapping[str, Any], dataset: Mapping[str, Any]) -> None:
    params = chart.get("params", {})
    metrics = set(dataset.get("metrics", {}))
    columns = set(dataset["columns"])
    for param in METRIC_PARAMS:
        missing = [m for m in _names(params.get(param, [])) if m not in metrics]
        if missing:
            raise SpecError(f"chart {key}: {param} names {missing}, not metrics of dataset {chart['dataset']}")
    for param in COLUMN_PARAMS:
        missing = [c for c in _names(params.get(param, [])) if c not in columns]
        if missing:
            raise SpecError(f"chart {key}: {param} names {missing}, not columns of dataset {chart['dataset']}")


def _adhoc_filter(key: str, index: int, where: str) -> dict[str, Any]:
    """The spec's ``{where: "<sql>"}`` as Superset's custom-SQL ad-hoc filter."""
    return {
        "expressionType": "SQL",
        "sqlExpression": where,
        "clause": "WHERE",
        "filterOptionName": f"filter_{key}_{index}",
        "isExtra": False,
        "isNew": False,
    }


def _chart(key: str, chart: Mapping[str, Any], datasets: Mapping[str, Any]) -> dict[str, Any]:
    dataset_key = chart["dataset"]
    if dataset_key not in datasets:
        raise SpecError(f"chart {key}: unknown dataset {dataset_key!r}")
    _check_chart_refs(key, chart, datasets[dataset_key])
    params = {"viz_type": chart["viz_type"], **chart.get("params", {})}
    params["adhoc_filters"] = [
        _adhoc_filter(key, i, f["where"]) for i, f in enumerate(params.get("adhoc_filters", []))
    ]
    return {
        "slice_name": chart["title"],
        "description": chart.get("description"),
        "certified_by": None,
        "certification_details": None,
        "viz_type": chart["viz_type"],
        "params": params,
        "query_context": None,
        "cache_timeout": None,
        "uuid": object_uuid("chart", key),
        "version": EXPORT_VERSION,
        "dataset_uuid": object_uuid("dataset", dataset_key),
    }


# --- dashboards --------------------------------------------------------------------------------------


def _cell(dashboard: str, row_id: str, index: int, cell: Mapping[str, Any], charts: Mapping[str, Any]) -> dict:
    parents = ["ROOT_ID", "GRID_ID", row_id]
    height = cell.get("height", DEFAULT_CHART_HEIGHT)
    if "chart" in cell:
        key = cell["chart"]
        if key not in charts:
            raise SpecError(f"dashboard {dashboard}: unknown chart {key!r}")
        meta = {
            "chartId": 0,  # set from the UUID on import
            "uuid": object_uuid("chart", key),
            "sliceName": charts[key]["title"],
            "width": cell["width"],
            "height": height,
        }
        return {"type": "CHART", "id": f"CHART-{key}", "children": [], "parents": parents, "meta": meta}
    if "markdown" in cell:
        meta = {"code": cell["markdown"], "width": cell["width"], "height": height}
        cell_id = f"MARKDOWN-{row_id.removeprefix('ROW-')}-{index}"
        return {"type": "MARKDOWN", "id": cell_id, "children": [], "parents": parents, "meta": meta}
    raise SpecError(f"dashboard {dashboard}: a cell needs `chart` or `markdown`: {dict(cell)}")


def _position(key: str, dashboard: Mapping[str, Any], charts: Mapping[str, Any]) -> dict[str, Any]:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": dashboard["title"]}},
    }
    for row_no, row in enumerate(dashboard["rows"], start=1):
        if sum(cell["width"] for cell in row) > GRID_COLUMNS:
            raise SpecError(f"dashboard {key}: row {row_no} is wider than {GRID_COLUMNS} columns")
        row_id = f"ROW-{key}-{row_no}"
        cells = [_cell(key, row_id, i, cell, charts) for i, cell in enumerate(row, start=1)]
        for cell in cells:
            if cell["id"] in position:
                raise SpecError(f"dashboard {key}: {cell['id']} appears twice")
            position[cell["id"]] = cell
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [cell["id"] for cell in cells],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        position["GRID_ID"]["children"].append(row_id)
    return position


def _dashboard(key: str, dashboard: Mapping[str, Any], charts: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "dashboard_title": dashboard["title"],
        "description": dashboard.get("description"),
        "css": "",
        "slug": dashboard_slug(key),
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": object_uuid("dashboard", key),
        "position": _position(key, dashboard, charts),
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": True,
            "native_filter_configuration": [],
        },
        "version": EXPORT_VERSION,
    }


# --- the bundle --------------------------------------------------------------------------------------


def build_bundle(spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The bundle as ``{relative file name: config}``; raises ``SpecError`` on an inconsistent spec."""
    database = spec["database"]
    database_uuid = object_uuid("database", database["key"])
    datasets, charts = spec["datasets"], spec["charts"]
    bundle: dict[str, dict[str, Any]] = {
        "metadata.yaml": {"version": EXPORT_VERSION, "type": "assets"},
        f"databases/{database['key']}.yaml": {
            "database_name": database["name"],
            "sqlalchemy_uri": PLACEHOLDER_URI,
            "cache_timeout": None,
            "expose_in_sqllab": True,
            "allow_run_async": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_dml": False,
            "allow_file_upload": False,
            "extra": {"allows_virtual_table_explore": True, "schema_options": {"expand_rows": False}},
            "uuid": database_uuid,
            "version": EXPORT_VERSION,
        },
    }
    for key, dataset in datasets.items():
        bundle[f"datasets/{database['key']}/{key}.yaml"] = _dataset(key, dataset, database_uuid)
    for key, chart in charts.items():
        bundle[f"charts/{key}.yaml"] = _chart(key, chart, datasets)
    for key, dashboard in spec["dashboards"].items():
        bundle[f"dashboards/{key}.yaml"] = _dashboard(key, dashboard, charts)
    return bundle


def render_bundle(bundle: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each file's YAML text (stable: keys in insertion order)."""
    header = "# Generated by `python -m analytics.superset_bundle` from bi/superset/spec.yaml: do not edit.\n"
    return {
        name: header + yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True, width=120)
        for name, config in bundle.items()
    }


def _existing_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml")} if folder.exists() else set()


def stale_files(rendered: Mapping[str, str], folder: Path = BUNDLE_DIR) -> list[str]:
    """Files of ``folder`` that differ from ``rendered``, are missing, or should not be there."""
    existing = _existing_files(folder)
    differing = [
        name
        for name, text in rendered.items()
        if name not in existing or (folder / name).read_text(encoding="utf-8") != text
    ]
    return sorted(differing + sorted(existing - set(rendered)))


def write_bundle(rendered: Mapping[str, str], folder: Path = BUNDLE_DIR) -> list[str]:
    """Write the bundle into ``folder``, removing YAML files no longer generated; returns changed files."""
    changed = stale_files(rendered, folder)
    for name in _existing_files(folder) - set(rendered):
        (folder / name).unlink()
    for name, text in rendered.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _remove_empty_dirs(folder.rglob("*"))
    return changed


def _remove_empty_dirs(paths: Iterable[Path]) -> None:
    for path in sorted(paths, key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def main(argv: list[str] | None = None) -> int:
    """Regenerate the bundle (or with ``--check``, exit 1 when it is out of date)."""
    parser = argparse.ArgumentParser(prog="python -m analytics.superset_bundle", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the bundle is stale")
    args = parser.parse_args(argv)
    try:
        rendered = render_bundle(build_bundle(load_spec()))
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        stale = stale_files(rendered)
        for name in stale:
            print(f"out of date: {BUNDLE_DIR / name}", file=sys.stderr)
        return 1 if stale else 0
    changed = write_bundle(rendered)
    print(f"{len(rendered)} files in {BUNDLE_DIR}; {len(changed)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
