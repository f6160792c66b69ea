"""Independent pandas computations of the mart views, from the core facts and audit tables (tests only).

Each function takes the frames it needs (read with :func:`read`) and returns the rows a view should hold,
computed with pandas alone: no SQL of the views is reused.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

__all__ = ["read", "mask_email", "mask_phone", "factor_name", "segment_summary", "score_distribution",
           "segment_migration", "tier_summary", "clv_distribution", "clv_validation", "top_customers", "churn_overview",
           "at_risk", "factor_analysis", "cohorts", "model_quality", "assert_rows_match"]

CLV_EDGES = [100, 250, 500, 1000, 2500, 5000, 10000]
RISK_ORDER = ["Low", "Medium", "High", "Critical"]


def read(url: str, query: str) -> pd.DataFrame:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(query), conn)
    finally:
        engine.dispose()


def mask_email(email: str | None) -> str | None:
    if email is None:
        return None
    local, at, domain = email.partition("@")
    return f"{local[0]}***@{domain}" if at and local else "***"


def mask_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    return "*" * (len(phone) - 4) + phone[-4:] if len(phone) > 4 else "*" * len(phone)


def factor_name(words: str) -> str:
    """A churn factor without its numbers and bracketed detail."""
    return re.sub(r"[0-9]+(\.[0-9]+)?", "N", re.sub(r"\s*\([^)]*\)", "", words))


def _day(frame: pd.DataFrame, day: date) -> pd.DataFrame:
    return frame[pd.to_datetime(frame["snapshot_date"]) == pd.Timestamp(day)]


def segment_summary(rfm: pd.DataFrame, segments: pd.DataFrame, day: date) -> pd.DataFrame:
    r = _day(rfm, day)
    out = r.groupby(["segment_code", "segment_name"], as_index=False).agg(
        customers=("customer_id_nat", "size"), revenue_365d_aed=("total_spend_365_days", "sum"),
        orders_365d=("order_count_365_days", "sum"), avg_days_since_last_order=("days_since_last_order", "mean"),
        active_last_30_days=("days_since_last_order", lambda s: int((s <= 30).sum())),
        inactive_over_90_days=("days_since_last_order", lambda s: int((s > 90).sum())))
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["avg_revenue_per_customer_aed"] = out["revenue_365d_aed"] / out["customers"]
    out["avg_orders_per_customer"] = out["orders_365d"] / out["customers"]
    out["avg_order_value_aed"] = out["revenue_365d_aed"] / out["orders_365d"].replace(0, np.nan)
    return out.merge(segments[["segment_code", "value_group", "value_rank"]], on="segment_code", how="left")


def score_distribution(rfm: pd.DataFrame, day: date) -> pd.DataFrame:
    r = _day(rfm, day)
    out = r.groupby(["rfm_score", "recency_score", "frequency_score", "monetary_score", "segment_name"],
                    as_index=False).agg(customers=("customer_id_nat", "size"),
                                        revenue_365d_aed=("total_spend_365_days", "sum"),
                                        orders_365d=("order_count_365_days", "sum"))
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["avg_order_value_aed"] = out["revenue_365d_aed"] / out["orders_365d"].replace(0, np.nan)
    return out


def segment_migration(rfm: pd.DataFrame, segments: pd.DataFrame, earlier: date, latest: date) -> pd.DataFrame:
    now = _day(rfm, latest)[["customer_id_nat", "segment_code"]].rename(columns={"segment_code": "to_segment_code"})
    then = _day(rfm, earlier)[["customer_id_nat", "segment_code"]].rename(
        columns={"segment_code": "from_segment_code"})
    moved = now.merge(then, on="customer_id_nat", how="left").fillna({"from_segment_code": "NEW"})
    out = moved.groupby(["from_segment_code", "to_segment_code"], as_index=False).agg(
        customers=("customer_id_nat", "size"))
    rank = segments.set_index("segment_code")["value_rank"]
    from_rank, to_rank = out["from_segment_code"].map(rank), out["to_segment_code"].map(rank)
    out["movement"] = np.select(
        [out["from_segment_code"] == "NEW", out["from_segment_code"] == out["to_segment_code"], to_rank < from_rank,
         to_rank > from_rank], ["New", "Same", "Upgraded", "Downgraded"], "Changed")
    out["customer_share"] = out["customers"] / out["customers"].sum()
    return out


def tier_summary(ltv: pd.DataFrame, day: date) -> pd.DataFrame:
    v = _day(ltv, day)
    out = v.groupby("value_tier", as_index=False).agg(
        customers=("customer_id_nat", "size"), historical_revenue_aed=("historical_revenue_aed", "sum"),
        historical_clv_aed=("historical_clv_aed", "sum"), predicted_clv_1y_aed=("predicted_clv_1y_aed", "sum"),
        predicted_clv_lifetime_aed=("predicted_clv_lifetime_aed", "sum"),
        avg_predicted_clv_lifetime_aed=("predicted_clv_lifetime_aed", "mean"),
        avg_order_value_aed=("avg_order_value_aed", "mean"), avg_tenure_months=("tenure_months", "mean"))
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["predicted_value_share"] = out["predicted_clv_lifetime_aed"] / out["predicted_clv_lifetime_aed"].sum()
    return out


def clv_distribution(ltv: pd.DataFrame, day: date) -> pd.DataFrame:
    v = _day(ltv, day).copy()
    bins = np.searchsorted(np.array(CLV_EDGES, dtype=float), v["predicted_clv_lifetime_aed"].to_numpy(), side="right")
    v["bucket_order"] = np.where(v["predicted_clv_lifetime_aed"].isna(), 99, bins)
    out = v.groupby("bucket_order", as_index=False).agg(
        customers=("customer_id_nat", "size"), predicted_clv_lifetime_aed=("predicted_clv_lifetime_aed", "sum"),
        historical_clv_aed=("historical_clv_aed", "sum"), avg_tenure_months=("tenure_months", "mean"))
    out["customer_share"] = out["customers"] / out["customers"].sum()
    return out


def top_customers(ltv: pd.DataFrame, rfm: pd.DataFrame, churn: pd.DataFrame, codes: pd.DataFrame,
                  day: date) -> pd.DataFrame:
    v = _day(ltv, day).dropna(subset=["predicted_clv_lifetime_aed"])
    top = v.sort_values(["predicted_clv_lifetime_aed", "customer_id_nat"], ascending=[False, True]).head(100)
    top = top.assign(clv_rank=np.arange(1, len(top) + 1))
    top = top.merge(_day(rfm, day)[["customer_id_nat", "segment_name"]], on="customer_id_nat", how="left")
    top = top.merge(_day(churn, day)[["customer_id_nat", "churn_risk_category"]], on="customer_id_nat", how="left")
    return top.merge(codes, on="customer_id_nat").rename(columns={"segment_name": "rfm_segment"})


def churn_overview(churn: pd.DataFrame, ltv: pd.DataFrame, day: date) -> pd.DataFrame:
    c = _day(churn, day).merge(_day(ltv, day)[["customer_id_nat", "predicted_clv_lifetime_aed"]],
                               on="customer_id_nat", how="left")
    c["weighted"] = c["churn_probability"] * c["predicted_clv_lifetime_aed"]
    out = c.groupby("churn_risk_category", as_index=False).agg(
        customers=("customer_id_nat", "size"), clv_at_risk_aed=("predicted_clv_lifetime_aed", "sum"),
        expected_clv_loss_aed=("weighted", "sum"), avg_churn_risk_score=("churn_risk_score", "mean"),
        avg_days_since_last_order=("days_since_last_order", "mean"),
        avg_spend_last_90_days_aed=("spend_last_90_days", "mean"),
        declining_frequency_customers=("order_frequency_trend", lambda s: int((s == "decreasing").sum())),
        declining_spend_customers=("spend_trend", lambda s: int((s == "decreasing").sum())))
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["category_order"] = out["churn_risk_category"].map({c: i + 1 for i, c in enumerate(RISK_ORDER)})
    return out


def at_risk(churn: pd.DataFrame, ltv: pd.DataFrame, customers: pd.DataFrame, codes: pd.DataFrame,
            day: date) -> pd.DataFrame:
    c = _day(churn, day)
    c = c[c["churn_risk_category"].isin(["High", "Critical"])]
    c = c.sort_values(["intervention_priority", "churn_risk_score", "customer_id_nat"], ascending=[True, False, True])
    c = c.merge(_day(ltv, day)[["customer_id_nat", "predicted_clv_lifetime_aed"]], on="customer_id_nat", how="left")
    c = c.merge(customers[["customer_id_nat", "email", "phone"]], on="customer_id_nat", how="left")
    c["email_masked"] = c["email"].map(mask_email, na_action="ignore")
    c["phone_masked"] = c["phone"].map(mask_phone, na_action="ignore")
    return c.merge(codes, on="customer_id_nat").rename(columns={"predicted_clv_lifetime_aed": "value_at_risk_aed"})


def factor_analysis(churn: pd.DataFrame, ltv: pd.DataFrame, day: date) -> pd.DataFrame:
    c = _day(churn, day).merge(_day(ltv, day)[["customer_id_nat", "predicted_clv_lifetime_aed"]],
                               on="customer_id_nat", how="left")
    long = c.melt(id_vars=["customer_id_nat", "churn_risk_category", "churn_risk_score", "predicted_clv_lifetime_aed"],
                  value_vars=["top_churn_factor_1", "top_churn_factor_2", "top_churn_factor_3"],
                  var_name="position", value_name="words").dropna(subset=["words"])
    long["churn_factor"] = long["words"].map(factor_name)
    long["first"] = long["position"] == "top_churn_factor_1"
    long["high"] = long["churn_risk_category"].isin(["High", "Critical"])
    out = long.groupby("churn_factor", as_index=False).agg(
        occurrences=("customer_id_nat", "size"), as_first_factor=("first", "sum"),
        high_risk_occurrences=("high", "sum"), avg_churn_risk_score=("churn_risk_score", "mean"),
        clv_affected_aed=("predicted_clv_lifetime_aed", "sum"))
    out["customer_share"] = out["occurrences"] / len(c)
    return out


def cohorts(activity: pd.DataFrame) -> pd.DataFrame:
    a = activity.copy()
    a["cohort_month"] = pd.to_datetime(a["first_order_month"] + "-01")
    a["activity_month"] = pd.to_datetime(a["month_key"])
    size = a[a["activity_month"] == a["cohort_month"]].groupby("cohort_month").size().rename("cohort_customers")
    out = a.groupby(["cohort_month", "activity_month"], as_index=False).agg(
        active_customers=("is_active_flag", "sum"), revenue_aed=("total_net_amount_aed_month", "sum"))
    out = out.merge(size.reset_index(), on="cohort_month")
    out["months_since_first_order"] = ((out["activity_month"].dt.year - out["cohort_month"].dt.year) * 12
                                       + out["activity_month"].dt.month - out["cohort_month"].dt.month)
    out["retention_rate"] = out["active_customers"] / out["cohort_customers"]
    out["revenue_per_active_customer_aed"] = out["revenue_aed"] / out["active_customers"].replace(0, np.nan)
    out = out.sort_values(["cohort_month", "activity_month"])
    out["cumulative_revenue_per_cohort_customer_aed"] = (out.groupby("cohort_month")["revenue_aed"].cumsum()
                                                         / out["cohort_customers"])
    return out


def model_quality(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per scoring date: churn backtest and BG/NBD fit of the latest run of each model that day."""
    latest = runs.sort_values("model_run_id").groupby(["snapshot_date", "model_name"]).tail(1)
    rows = []
    for day, group in latest.groupby("snapshot_date"):
        by_name = group.set_index("model_name")
        churn = by_name.loc[by_name.index.isin(["churn_logistic_regression", "churn_rules"])]
        metrics = churn["metrics"].iloc[0] if len(churn) else {}
        model = metrics.get("model") or {}
        bg = by_name.loc["bg_nbd"] if "bg_nbd" in by_name.index else None
        rows.append({
            "snapshot_date": day, "churn_model": churn.index[0] if len(churn) else None,
            "churn_roc_auc": model.get("roc_auc"), "churn_brier": model.get("brier"),
            "churn_observed_rate": model.get("base_rate"),
            "rules_roc_auc": (metrics.get("rules") or {}).get("roc_auc"),
            "recency_roc_auc": (metrics.get("recency") or {}).get("roc_auc"),
            "bg_nbd_customers": None if bg is None else bg["sample_size"],
            "bg_nbd_log_likelihood_per_customer": None if bg is None else bg["log_likelihood"] / bg["sample_size"],
        })
    return pd.DataFrame(rows)


def clv_validation(ltv: pd.DataFrame, earlier: date, latest: date) -> dict:
    """Predicted 1-year CLV of ``earlier``'s customers prorated to the days until ``latest``, and the margin
    their revenue growth between the two snapshots brought."""
    then = _day(ltv, earlier).dropna(subset=["predicted_clv_1y_aed"])
    both = then.merge(_day(ltv, latest)[["customer_id_nat", "historical_revenue_aed"]], on="customer_id_nat",
                      suffixes=("", "_later"))
    days = (latest - earlier).days
    return {
        "clv_days_observed": days, "clv_customers_observed": len(both),
        "clv_predicted_aed": both["predicted_clv_1y_aed"].sum() * min(days, 365) / 365,
        "clv_actual_aed": ((both["historical_revenue_aed_later"] - both["historical_revenue_aed"])
                           * both["margin_pct"]).sum(),
    }


def assert_rows_match(got: pd.DataFrame, expected: pd.DataFrame, key: list[str], columns: list[str],
                      atol: float = 0.011) -> None:
    """Same keys, and each of ``columns`` equal (text, dates) or within ``atol`` (numbers: the views round)."""
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert _text(got[key]) == _text(expected[key])
    for column in columns:
        left, right = got[column], expected[column]
        if pd.api.types.is_numeric_dtype(right) and not pd.api.types.is_bool_dtype(right):
            np.testing.assert_allclose(left.to_numpy(dtype=float), right.to_numpy(dtype=float), atol=atol,
                                       rtol=1e-9, equal_nan=True, err_msg=column)
        else:
            assert _text(left) == _text(right), column


def _text(values: pd.DataFrame | pd.Series) -> list:
    """Values as comparable text: dates and timestamps as YYYY-MM-DD whatever their Python type."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    return frame.apply(_column_text).values.tolist()


def _column_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column) or column.map(lambda v: isinstance(v, date)).any():
        return pd.to_datetime(column).dt.strftime("%Y-%m-%d")
    return column.astype(str)
