"""The POS cleaning reference tables: categories, ordered cleaning rules and the country map.

They are data, not code: versioned CSV seeds in ``sql/seed`` that a migration loads into the warehouse
and that users extend (a new fee code, a new stock-adjustment wording, a new country spelling) without
touching Python. This module reads them and refuses a table that would classify wrongly or ambiguously.

``pos_categories.csv`` — one row per category: ``category, sort_order, feeds_customer_metrics,
feeds_returns, description, version``. Which categories feed what is decided here, not in code.

``pos_cleaning_rules.csv`` — one row per rule: ``rule_id, priority, category, field, match, pattern,
case_sensitive, and_field, and_match, and_pattern, description, version``. A rule matches a row when its
condition (``field``/``match``/``pattern``) holds and, if given, its second condition (``and_*``) holds
too. Rules are tried in ascending ``priority``; the first that matches a row gives the row its category.
Exactly one rule has ``match = any`` (the catch-all) and it must have the highest priority.

Match kinds: ``prefix``, ``exact``, ``contains``, ``regex`` (RE2 syntax, searched, so anchor with ``^``)
and ``in_list`` (``|``-separated values) on text fields, honouring ``case_sensitive``; ``negative``,
``zero``, ``zero_or_negative`` on the numeric fields; ``empty`` on text fields; ``map_excluded`` on
``country`` (the country map marks it excluded); ``any`` with no field.

``pos_country_map.csv`` — ``source_country, country_name, iso_code, excluded, version``. Source names
are matched trimmed and case-insensitively; an excluded country needs no ISO code.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.config import SQL_DIR

__all__ = [
    "CATEGORIES_PATH",
    "CATEGORY_COLUMNS",
    "COUNTRY_MAP_COLUMNS",
    "COUNTRY_MAP_PATH",
    "FIELDS",
    "MATCH_KINDS",
    "NUMERIC_FIELDS",
    "REQUIRED_CATEGORIES",
    "RULE_COLUMNS",
    "RULES_PATH",
    "TEXT_FIELDS",
    "in_list_items",
    "load_categories",
    "load_cleaning_rules",
    "load_country_map",
    "validate_categories",
    "validate_cleaning_rules",
    "validate_country_map",
]

CATEGORIES_PATH = SQL_DIR / "seed" / "pos_categories.csv"
RULES_PATH = SQL_DIR / "seed" / "pos_cleaning_rules.csv"
COUNTRY_MAP_PATH = SQL_DIR / "seed" / "pos_country_map.csv"

CATEGORY_COLUMNS = ["category", "sort_order", "feeds_customer_metrics", "feeds_returns", "description", "version"]
RULE_COLUMNS = ["rule_id", "priority", "category", "field", "match", "pattern", "case_sensitive",
                "and_field", "and_match", "and_pattern", "description", "version"]
COUNTRY_MAP_COLUMNS = ["source_country", "country_name", "iso_code", "excluded", "version"]

# The categories the adapter and the data-loss report rely on; a table may add more, not drop these.
REQUIRED_CATEGORIES = (
    "sale", "return", "discount", "manual_correction", "bad_debt_adjustment", "non_product_charge",
    "inventory_adjustment", "zero_price", "missing_description", "missing_customer", "excluded_country",
)
TEXT_FIELDS = ("invoice_no", "stock_code", "description", "customer_id", "country")
NUMERIC_FIELDS = ("quantity", "unit_price")
FIELDS = TEXT_FIELDS + NUMERIC_FIELDS

_TEXT_MATCHES = ("prefix", "exact", "contains", "regex", "in_list")
_NUMERIC_MATCHES = ("negative", "zero", "zero_or_negative")
MATCH_KINDS = _TEXT_MATCHES + _NUMERIC_MATCHES + ("empty", "map_excluded", "any")

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _as_bool(values: pd.Series) -> pd.Series:
    """true/false, 1/0, yes/no (any case) or real booleans → bool; anything else → NA."""
    text = values.map(lambda v: str(v).strip().lower() if v is not None and v == v else "")
    return text.map(lambda t: True if t in _TRUE else False if t in _FALSE else pd.NA)


def _as_int(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers.where(numbers == numbers.round())


def _text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.strip()


def _check_columns(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing}")


def _unique(values: pd.Series, name: str, problems: list[str]) -> None:
    empty = values.isna() | (values.astype(str) == "")
    if empty.any():
        problems.append(f"{name} has empty values")
    duplicated = sorted(set(values[~empty & values.duplicated(keep=False)].tolist()))
    if duplicated:
        problems.append(f"duplicate {name}: {duplicated}")


def _flags(frame: pd.DataFrame, key: str, columns: Iterable[str], problems: list[str]) -> dict[str, pd.Series]:
    parsed = {}
    for column in columns:
        parsed[column] = _as_bool(frame[column])
        bad = frame.loc[parsed[column].isna(), key].tolist()
        if bad:
            problems.append(f"{column} must be true or false for {bad}")
    return parsed


def _raise(what: str, problems: list[str]) -> None:
    if problems:
        raise ValueError(f"{what}: " + "; ".join(problems))


def validate_categories(categories: pd.DataFrame) -> pd.DataFrame:
    """Check the category table and return it typed, in ``sort_order``; raise ``ValueError`` naming every problem.

    Checks: columns present; category codes lower-case identifiers, unique, including every one of
    ``REQUIRED_CATEGORIES``; sort orders and versions whole numbers, sort orders unique; flags boolean.
    """
    _check_columns(categories, CATEGORY_COLUMNS, "POS categories")
    frame = categories.assign(category=_text(categories["category"]))
    problems: list[str] = []
    _unique(frame["category"], "category", problems)
    bad_codes = frame.loc[~frame["category"].str.fullmatch(r"[a-z][a-z0-9_]*"), "category"].tolist()
    if bad_codes:
        problems.append(f"category codes must be lower_snake_case: {bad_codes}")
    absent = [c for c in REQUIRED_CATEGORIES if c not in set(frame["category"])]
    if absent:
        problems.append(f"required categories missing: {absent}")
    numbers = {c: _as_int(frame[c]) for c in ("sort_order", "version")}
    for column, values in numbers.items():
        if values.isna().any():
            problems.append(f"{column} must be a whole number for {frame.loc[values.isna(), 'category'].tolist()}")
    _unique(numbers["sort_order"], "sort_order", problems)
    flags = _flags(frame, "category", ("feeds_customer_metrics", "feeds_returns"), problems)
    _raise("POS categories", problems)
    typed = frame.assign(**{c: v.astype("int64") for c, v in numbers.items()},
                         **{c: v.astype(bool) for c, v in flags.items()}, description=_text(frame["description"]))
    return typed[CATEGORY_COLUMNS].sort_values("sort_order", kind="stable").reset_index(drop=True)


def _regex_error(pattern: str) -> str | None:
    """The RE2 compile error of ``pattern`` (the engine the classifier uses), or None if it compiles."""
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return str(exc).splitlines()[0]
    return None


def _condition_problems(rule_id: str, field: str, match: str, pattern: str, label: str) -> list[str]:
    """What is wrong with one condition (field, match kind, pattern) of a rule."""
    where = f"rule {rule_id} ({label})"
    if match not in MATCH_KINDS:
        return [f"{where}: unknown match kind {match!r} (known: {', '.join(MATCH_KINDS)})"]
    if match == "any":
        return [] if field == "" and pattern == "" else [f"{where}: 'any' takes no field and no pattern"]
    if field not in FIELDS:
        return [f"{where}: unknown field {field!r} (known: {', '.join(FIELDS)})"]
    wanted = {**dict.fromkeys(_TEXT_MATCHES + ("empty",), TEXT_FIELDS),
              **dict.fromkeys(_NUMERIC_MATCHES, NUMERIC_FIELDS), "map_excluded": ("country",)}[match]
    if field not in wanted:
        return [f"{where}: match {match!r} does not apply to field {field!r} (only {', '.join(wanted)})"]
    if match in _TEXT_MATCHES:
        if pattern == "":
            return [f"{where}: match {match!r} needs a pattern"]
        if match == "in_list" and "" in [p.strip() for p in pattern.split("|")]:
            return [f"{where}: in_list pattern has an empty item"]
        error = _regex_error(pattern) if match == "regex" else None
        return [f"{where}: regex does not compile: {error}"] if error else []
    return [] if pattern == "" else [f"{where}: match {match!r} takes no pattern"]


def validate_cleaning_rules(rules: pd.DataFrame, categories: Iterable[str] | None = None) -> pd.DataFrame:
    """Check a rule table and return it typed and sorted by priority; raise ``ValueError`` naming every problem.

    Checks: columns present; rule ids and priorities unique and not empty; priorities and versions whole
    numbers; categories known (``categories``, default the shipped category table); each condition's
    field and match kind known and compatible, patterns present where needed and compiling (RE2);
    a second condition complete or absent; exactly one catch-all (``any``), with the highest priority.
    """
    _check_columns(rules, RULE_COLUMNS, "POS cleaning rules")
    text_columns = ["rule_id", "category", "field", "match", "pattern", "and_field", "and_match", "and_pattern"]
    frame = rules.assign(**{c: _text(rules[c]) for c in text_columns})
    frame = frame.assign(field=frame["field"].str.lower(), match=frame["match"].str.lower(),
                         and_field=frame["and_field"].str.lower(), and_match=frame["and_match"].str.lower())
    problems: list[str] = []
    _unique(frame["rule_id"], "rule_id", problems)
    numbers = {c: _as_int(frame[c]) for c in ("priority", "version")}
    for column, values in numbers.items():
        if values.isna().any():
            problems.append(f"{column} must be a whole number for {frame.loc[values.isna(), 'rule_id'].tolist()}")
    _unique(numbers["priority"], "priority", problems)
    known = set(load_categories()["category"] if categories is None else categories)
    unknown = frame.loc[~frame["category"].isin(known), ["rule_id", "category"]].values.tolist()
    if unknown:
        problems.append(f"unknown categories (rule, category): {unknown}")
    flags = _flags(frame, "rule_id", ("case_sensitive",), problems)
    for row in frame.itertuples(index=False):  # a loop over the rule table (tens of rows), not over log rows
        problems += _condition_problems(row.rule_id, row.field, row.match, row.pattern, "condition")
        second = (row.and_field, row.and_match, row.and_pattern)
        if any(second):
            if row.and_match in ("", "any"):
                problems.append(f"rule {row.rule_id} (and condition): needs a match kind other than 'any'")
            else:
                problems += _condition_problems(row.rule_id, *second, "and condition")
    catch_all = frame.index[frame["match"] == "any"]
    if len(catch_all) != 1:
        problems.append(f"exactly one catch-all rule (match 'any') is required, found {len(catch_all)}")
    elif numbers["priority"].notna().all() and numbers["priority"][catch_all[0]] != numbers["priority"].max():
        problems.append(f"catch-all rule {frame['rule_id'][catch_all[0]]} must have the highest priority "
                        "(rules after it could never match)")
    _raise("POS cleaning rules", problems)
    typed = frame.assign(**{c: v.astype("int64") for c, v in numbers.items()},
                         case_sensitive=flags["case_sensitive"].astype(bool), description=_text(frame["description"]))
    return typed[RULE_COLUMNS].sort_values("priority", kind="stable").reset_index(drop=True)


def validate_country_map(countries: pd.DataFrame) -> pd.DataFrame:
    """Check the country map and return it typed, with a ``key`` column (trimmed, upper-cased source name).

    Checks: columns present; source names not empty and unique ignoring case and surrounding blanks;
    country names not empty; ISO codes two capital letters, required unless the country is excluded;
    ``excluded`` boolean; versions whole numbers.
    """
    _check_columns(countries, COUNTRY_MAP_COLUMNS, "POS country map")
    frame = countries.assign(**{c: _text(countries[c]) for c in ("source_country", "country_name", "iso_code")})
    frame = frame.assign(key=frame["source_country"].str.upper())
    problems: list[str] = []
    _unique(frame["key"], "source_country (ignoring case)", problems)
    if (frame["country_name"] == "").any():
        problems.append(f"country_name empty for {frame.loc[frame['country_name'] == '', 'source_country'].tolist()}")
    flags = _flags(frame, "source_country", ("excluded",), problems)
    iso_ok = frame["iso_code"].str.fullmatch(r"[A-Z]{2}") | ((frame["iso_code"] == "") & (flags["excluded"] == True))  # noqa: E712
    if not iso_ok.all():
        problems.append("iso_code must be two capital letters (empty only for excluded countries): "
                        f"{frame.loc[~iso_ok, 'source_country'].tolist()}")
    version = _as_int(frame["version"])
    if version.isna().any():
        problems.append(f"version must be a whole number for {frame.loc[version.isna(), 'source_country'].tolist()}")
    _raise("POS country map", problems)
    typed = frame.assign(excluded=flags["excluded"].astype(bool), version=version.astype("int64"),
                         iso_code=frame["iso_code"].replace("", None))
    return typed[COUNTRY_MAP_COLUMNS + ["key"]].reset_index(drop=True)


def _read_seed(path: str | Path | None, default: Path) -> tuple[Path, pd.DataFrame]:
    source = Path(path) if path is not None else default
    return source, pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")


def load_categories(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the category table (default: the shipped seed)."""
    source, frame = _read_seed(path, CATEGORIES_PATH)
    try:
        return validate_categories(frame)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def load_cleaning_rules(path: str | Path | None = None, categories: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate the rule table (default: the shipped seed), in priority order.

    ``categories`` is a validated category table; by default the shipped one.
    """
    source, frame = _read_seed(path, RULES_PATH)
    known = (categories if categories is not None else load_categories())["category"]
    try:
        return validate_cleaning_rules(frame, known)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def load_country_map(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the country map (default: the shipped seed)."""
    source, frame = _read_seed(path, COUNTRY_MAP_PATH)
    try:
        return validate_country_map(frame)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def in_list_items(pattern: str) -> list[str]:
    """The values of an ``in_list`` pattern (``|``-separated, trimmed)."""
    return [item.strip() for item in pattern.split("|")]

