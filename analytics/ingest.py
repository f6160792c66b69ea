"""Load landing drops into ``raw`` with bulk COPY, once per file content, accounting for every row.

For each file of each drop dated on or before the run date: hash it; skip it if this path and content
were seen before; record a DUPLICATE if the same content was already loaded from another path;
otherwise parse it (Arrow, all columns as text), validate every row (``analytics.validate``), COPY
accepted rows into the raw table and rejected rows into ``audit.rejected_row`` — all in one transaction
with its ``audit.file_load`` row, so a file is either fully accounted for or not at all.
A file missing a required column is REFUSED as a whole: its rows go to ``audit.rejected_row`` and the
ingest raises :class:`RefusedFilesError` after loading everything else.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from analytics import db, lanes
from analytics.contract import FILE_SPECS, FileSpec, spec_for_path
from analytics.validate import validate_table

__all__ = ["LandingFile", "IngestSummary", "RefusedFilesError", "discover", "ingest"]

log = logging.getLogger(__name__)

_DROP_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Load order within a drop and lane: reference data, customers, orders, order lines, touchpoints.
_KIND_ORDER = {name: i for i, name in enumerate(
    ["pos_stores", "fx_rates", "mkt_campaigns", "mkt_spend", "crm_customers", "oms_orders", "oms_order_items",
     "pos_transactions", "mkt_touchpoints"]
)}


class RefusedFilesError(RuntimeError):
    """One or more files were refused as a whole (e.g. a required column is missing)."""


@dataclass(frozen=True)
class LandingFile:
    path: Path
    ingestion_date: date
    name: str                 # "<YYYY-MM-DD>/<file name>", how audit tables name it
    spec: FileSpec | None     # None: not a file kind of the contract


@dataclass
class IngestSummary:
    files_loaded: int = 0
    files_skipped: int = 0
    files_duplicate: int = 0
    files_refused: int = 0
    files_ignored: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    refused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def merge(self, other: IngestSummary) -> None:
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) + value)


def discover(landing: Path, through: date) -> list[LandingFile]:
    """Files of every drop folder dated on or before ``through``, in load order."""
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder does not exist: {landing}")
    found: list[LandingFile] = []
    for folder in sorted(p for p in landing.iterdir() if p.is_dir() and _DROP_DIR.match(p.name)):
        try:
            drop_date = date.fromisoformat(folder.name)
        except ValueError:
            log.warning("skipping folder %s: not a real date", folder)
            continue
        if drop_date > through:
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                spec = spec_for_path(path.name)
                found.append(LandingFile(path, drop_date, f"{folder.name}/{path.name}", spec))
    found.sort(key=lambda f: (f.ingestion_date, _KIND_ORDER.get(f.spec.name if f.spec else "", 99), f.name))
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@dataclass
class _Parsed:
    table: pa.Table | None
    bad_rows: list[tuple[int, str]]   # (line number, raw text) of rows with the wrong number of fields
    header: list[str]
    error: str | None = None


def _parse(data: bytes, spec: FileSpec) -> _Parsed:
    """Parse CSV bytes with every contract column as text; collect rows of the wrong shape."""
    first_line = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header = next(csv.reader([first_line.decode("utf-8-sig")]))
    except (UnicodeDecodeError, StopIteration):
        return _Parsed(None, [], [], "the header row is missing or not UTF-8")
    header = [h.strip() for h in header]
    missing = [c for c in spec.columns if c not in header]
    if missing:
        return _Parsed(None, [], header, "missing required column(s): " + ", ".join(missing))
    bad_rows: list[tuple[int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append((row.number or 0, row.text))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(use_threads=False, encoding="utf8", column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                include_columns=list(spec.columns),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        return _Parsed(None, [], header, f"the file cannot be parsed as UTF-8 CSV: {exc}")
    return _Parsed(table, bad_rows, header)


def _valid_line_numbers(n_valid: int, bad_lines: list[int]) -> np.ndarray:
    """Line numbers of the parsed rows: all record numbers 2.. minus those of rows skipped as malformed."""
    total = n_valid + len(bad_lines)
    all_lines = np.arange(2, total + 2, dtype=np.int64)
    return np.setdiff1d(all_lines, np.asarray(bad_lines, dtype=np.int64), assume_unique=True)


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def _reject_rows_buffer(load_id: int, file_name: str, rows: list[tuple[int, str | None, str, str]]) -> io.BytesIO:
    """CSV bytes for COPY into audit.rejected_row: (line, field, reason, raw text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for line_no, field_name, reason, raw_text in rows:
        writer.writerow([load_id, file_name, line_no, field_name or "", reason, raw_text])
    return io.BytesIO(out.getvalue().encode("utf-8"))


_REJECT_COLUMNS = ("load_id", "file_name", "line_no", "field_name", "reason", "raw_text")


def _csv_for_copy(table: pa.Table) -> io.BytesIO:
    """CSV bytes of cleaned rows for COPY. Unquoted when no value needs quotes (the server splits unquoted
    lines about 15% faster); quoted otherwise. Cleaning turned every empty value into NULL, so unquoted empty
    fields mean NULL either way."""
    buffer = io.BytesIO()
    try:
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    except pa.ArrowInvalid:  # a value holds a comma, quote or line break
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return buffer


def _load_parsed(conn, load_id: int, lf: LandingFile, parsed: _Parsed) -> tuple[int, int]:
    """COPY accepted rows into raw and rejected rows into audit; returns (accepted, rejected)."""
    spec = lf.spec
    assert spec is not None and parsed.table is not None
    result = validate_table(spec, parsed.table)
    lines = _valid_line_numbers(parsed.table.num_rows, [n for n, _ in parsed.bad_rows])
    valid_idx = np.flatnonzero(result.valid)
    accepted = pa.table(
        {"load_id": pa.array(np.full(len(valid_idx), load_id, dtype=np.int64)),
         "source_line": pa.array(lines[valid_idx]),
         **{name: col.take(pa.array(valid_idx)) for name, col in result.columns.items()}}
    )
    if accepted.num_rows:
        buffer = _csv_for_copy(accepted)
        raw_columns = {f.name: f.raw_column for f in spec.fields}
        db.copy_from_buffer(conn, f"raw.{spec.raw_table}", [raw_columns.get(c, c) for c in accepted.column_names],
                            buffer)

    rejects: list[tuple[int, str | None, str, str]] = [
        (n, None, f"row has the wrong number of fields (expected {len(parsed.header)})", text)
        for n, text in parsed.bad_rows
    ]
    invalid_idx = np.flatnonzero(~result.valid)
    if len(invalid_idx):
        raw_values = parsed.table.take(pa.array(invalid_idx)).to_pylist()
        rejects += [
            (int(lines[i]), result.failed_field[i], result.reason[i], _csv_line([str(v) for v in row.values()]))
            for i, row in zip(invalid_idx, raw_values, strict=True)
        ]
    if rejects:
        db.copy_from_buffer(conn, "audit.rejected_row", _REJECT_COLUMNS, _reject_rows_buffer(load_id, lf.name, rejects))
    return accepted.num_rows, len(rejects)


def _refuse_rows(conn, load_id: int, lf: LandingFile, data: bytes, message: str) -> int:
    """Keep every data line of a refused file in audit.rejected_row; returns how many."""
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()[1:]
    rows = [(i + 2, None, f"file refused: {message}", line) for i, line in enumerate(lines) if line.strip()]
    if rows:
        db.copy_from_buffer(conn, "audit.rejected_row", _REJECT_COLUMNS, _reject_rows_buffer(load_id, lf.name, rows))
    return len(rows)


def _insert_file_load(conn, lf: LandingFile, digest: str, size: int, status: str, run_id: str,
                      started: datetime, duplicate_of: int | None = None, message: str | None = None) -> int:
    row = db.fetch_one(conn, """
        insert into audit.file_load (file_kind, file_name, ingestion_date, content_sha256, size_bytes, status,
                                     duplicate_of, message, run_id, started_at)
        values (%(kind)s, %(name)s, %(day)s, %(sha)s, %(size)s, %(status)s, %(dup)s, %(msg)s, %(run)s, %(started)s)
        returning load_id""", {
        "kind": lf.spec.name if lf.spec else "unknown", "name": lf.name, "day": lf.ingestion_date, "sha": digest,
        "size": size, "status": status, "dup": duplicate_of, "msg": message, "run": run_id, "started": started})
    assert row is not None
    return row[0]


def _finish_file_load(conn, load_id: int, status: str, read: int, accepted: int, rejected: int,
                      message: str | None, started_perf: float) -> None:
    with conn.cursor() as cur:
        cur.execute("""
            update audit.file_load
               set status = %(status)s, rows_read = %(read)s, rows_accepted = %(acc)s, rows_rejected = %(rej)s,
                   message = %(msg)s, finished_at = clock_timestamp(), duration_ms = %(ms)s
             where load_id = %(id)s""", {
            "status": status, "read": read, "acc": accepted, "rej": rejected, "msg": message,
            "ms": int((time.perf_counter() - started_perf) * 1000), "id": load_id})


def _load_file(conn, lf: LandingFile, run_id: str, summary: IngestSummary) -> None:
    """Account for one file in the connection's current transaction (the caller commits)."""
    digest = _sha256(lf.path)
    size = lf.path.stat().st_size
    started, started_perf = datetime.now(UTC), time.perf_counter()
    if db.fetch_one(conn, "select 1 from audit.file_load where file_name = %(n)s and content_sha256 = %(s)s",
                    {"n": lf.name, "s": digest}):
        summary.files_skipped += 1
        return
    kind = lf.spec.name if lf.spec else "unknown"
    earlier = db.fetch_one(conn, """
        select load_id from audit.file_load
         where file_kind = %(k)s and content_sha256 = %(s)s and status in ('LOADED', 'REFUSED')""",
                           {"k": kind, "s": digest})
    if lf.spec is None:
        _insert_file_load(conn, lf, digest, size, "IGNORED", run_id, started,
                          message="not a file of the extract contract; left in the landing folder")
        log.warning("ignoring %s: not a file of the extract contract", lf.name)
        summary.files_ignored += 1
        return
    if earlier:
        _insert_file_load(conn, lf, digest, size, "DUPLICATE", run_id, started, duplicate_of=earlier[0],
                          message=f"same content as load {earlier[0]}; nothing loaded")
        summary.files_duplicate += 1
        return
    load_id = _insert_file_load(conn, lf, digest, size, "LOADED", run_id, started)
    data = _read_bytes(lf.path)
    parsed = _parse(data, lf.spec)
    if parsed.error:
        message = f"{lf.name}: {parsed.error}"
        rejected = _refuse_rows(conn, load_id, lf, data, parsed.error)
        _finish_file_load(conn, load_id, "REFUSED", rejected, 0, rejected, message, started_perf)
        log.error("refused %s", message)
        summary.files_refused += 1
        summary.rows_rejected += rejected
        summary.refused.append(message)
        return
    accepted, rejected = _load_parsed(conn, load_id, lf, parsed)
    extra = [c for c in parsed.header if c not in lf.spec.columns]
    message = f"extra column(s) ignored: {', '.join(extra)}" if extra else None
    if extra:
        log.warning("%s: %s", lf.name, message)
    _finish_file_load(conn, load_id, "LOADED", accepted + rejected, accepted, rejected, message, started_perf)
    summary.files_loaded += 1
    summary.rows_accepted += accepted
    summary.rows_rejected += rejected


def _load_lane(engine: sa.Engine, files: list[LandingFile], run_id: str) -> IngestSummary:
    """Load files in order on one connection, one transaction per file (fully accounted for or not at all)."""
    summary = IngestSummary()
    with db.transaction(engine) as conn:
        with conn.cursor() as cur:
            # A crash can only lose whole, uncommitted files, which the next run loads again.
            cur.execute("set synchronous_commit = off")
        for lf in files:
            try:
                _load_file(conn, lf, run_id, summary)
            except Exception:
                conn.rollback()
                raise
            conn.commit()
    return summary


def ingest(engine: sa.Engine, landing: Path, through: date, run_id: str) -> IngestSummary:
    """Load every not-yet-seen file of drops dated on or before ``through``.

    Files load on two connections in parallel (``analytics.lanes``), split by kind so that both lanes carry
    about the same work: orders (the costliest to validate) with the small reference files on one, order
    lines, the CRM and POS logs on the other. Arrow validation runs in this process while the server parses
    the other lane's COPY, which keeps both cores busy. Within a kind, files load in ingestion-date order, which is all
    that "latest ingestion wins" relies on; kinds do not depend on each other at load time.
    Raises :class:`RefusedFilesError` after all other files are loaded if any file was refused.
    """
    files = discover(landing, through)
    second_lane = {"oms_order_items", "crm_customers", "pos_transactions"}
    file_lanes = [[f for f in files if f.spec is None or f.spec.name not in second_lane],
                  [f for f in files if f.spec is not None and f.spec.name in second_lane]]
    results = lanes.run_in_lanes(engine, [lane for lane in file_lanes if lane],
                                 lambda eng, lane: _load_lane(eng, lane, run_id))
    summary = IngestSummary()
    for part in results:
        summary.merge(part)
    log.info("ingest through %s: %s", through, summary.as_dict())
    if summary.refused:
        raise RefusedFilesError("refused file(s), see audit.file_load and audit.rejected_row:\n  "
                                + "\n  ".join(summary.refused))
    return summary


assert set(_KIND_ORDER) == set(FILE_SPECS)
