"""The committed Superset bundle matches its spec, is valid YAML and its references resolve."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from analytics.superset_bundle import (
    BUNDLE_DIR,
    PLACEHOLDER_URI,
    SpecError,
    build_bundle,
    load_spec,
    object_uuid,
    render_bundle,
    stale_files,
)

IMPORTER = Path(__file__).resolve().parents[2] / "bi" / "superset" / "import_bundle.py"


def _committed() -> dict[str, dict]:
    return {p.relative_to(BUNDLE_DIR).as_posix(): yaml.safe_load(p.read_text()) for p in BUNDLE_DIR.rglob("*.yaml")}


def _of_kind(files: dict[str, dict], folder: str) -> list[dict]:
    return [config for name, config in files.items() if name.startswith(f"{folder}/")]


def _chart_uuids_in(dashboard: dict) -> list[str]:
    return [c["meta"]["uuid"] for c in dashboard["position"].values() if isinstance(c, dict) and c["type"] == "CHART"]


def test_committed_bundle_is_up_to_date_with_the_spec() -> None:
    stale = stale_files(render_bundle(build_bundle(load_spec())))
    assert not stale, f"regenerate with `make superset-bundle`: {stale}"


def test_bundle_is_an_assets_export_of_version_1() -> None:
    files = _committed()
    assert files["metadata.yaml"] == {"version": "1.0.0", "type": "assets"}
    for name, config in files.items():
        if name != "metadata.yaml":
            assert config["version"] == "1.0.0", name


def test_every_reference_resolves_and_every_uuid_is_unique() -> None:
    files = _committed()
    databases = {d["uuid"] for d in _of_kind(files, "databases")}
    datasets = {d["uuid"] for d in _of_kind(files, "datasets")}
    charts = {c["uuid"] for c in _of_kind(files, "charts")}
    dashboards = _of_kind(files, "dashboards")
    assert len(databases) == 1
    for dataset in _of_kind(files, "datasets"):
        assert dataset["database_uuid"] in databases, dataset["table_name"]
        assert dataset["schema"] == "mart", dataset["table_name"]
    for chart in _of_kind(files, "charts"):
        assert chart["dataset_uuid"] in datasets, chart["slice_name"]
    on_dashboards = set()
    for dashboard in dashboards:
        placed = _chart_uuids_in(dashboard)
        assert placed and set(placed) <= charts, dashboard["dashboard_title"]
        on_dashboards |= set(placed)
    assert on_dashboards == charts, "every chart is on a dashboard"
    uuids = [c["uuid"] for name, c in files.items() if name != "metadata.yaml"]
    assert len(uuids) == len(set(uuids))


def test_database_file_carries_no_credential() -> None:
    (database,) = _of_kind(_committed(), "databases")
    assert database["sqlalchemy_uri"] == PLACEHOLDER_URI
    assert sa.make_url(database["sqlalchemy_uri"]).password is None
    assert not database["allow_dml"] and not database["allow_file_upload"]


def test_uuids_are_derived_from_kind_and_key() -> None:
    assert object_uuid("chart", "x") == object_uuid("chart", "x")
    assert object_uuid("chart", "x") != object_uuid("dataset", "x")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["charts"]["retention_active_trend"].update(dataset="nope"), "unknown dataset"),
        (lambda s: s["charts"]["retention_active_trend"]["params"].update(metric="nope"), "not metrics"),
        (lambda s: s["charts"]["retention_active_by_region"]["params"].update(groupby=["nope"]), "not columns"),
        (lambda s: s["dashboards"]["retention"]["rows"][0].append({"chart": "nope", "width": 1}), "wider|unknown"),
        (lambda s: s["dashboards"]["retention"]["rows"].append([{"chart": "nope", "width": 1}]), "unknown chart"),
        (lambda s: s["datasets"]["vw_engagement_daily"]["metrics"]["dau"].update({"0)": None}), "unknown settings"),
        (lambda s: s["datasets"]["vw_engagement_daily"]["columns"]["stickiness"].update(lable="x"), "unknown settings"),
    ],
)
def test_inconsistent_spec_is_refused(change, message: str) -> None:
    spec = copy.deepcopy(load_spec())
    change(spec)
    with pytest.raises(SpecError, match=message):
        build_bundle(spec)


def test_importer_puts_the_given_uri_into_database_files_only() -> None:
    module_spec = importlib.util.spec_from_file_location("import_bundle", IMPORTER)
    importer = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(importer)
    contents = importer.read_bundle(BUNDLE_DIR)
    uri = "postgresql+psycopg2://superset_bi:secret@db:5432/analytics"
    replaced = importer.with_warehouse_uri(contents, uri)
    assert [n for n in contents if contents[n] != replaced[n]] == ["databases/warehouse.yaml"]
    assert yaml.safe_load(replaced["databases/warehouse.yaml"])["sqlalchemy_uri"] == uri
