"""The scorer steps of the daily run (DESIGN §6): each reads the shared features, fits on all customers,
scores them shard by shard into its stage table and records its models in ``audit.model_run``.

Fit globally, score in shards: every model is fitted once on all customers (or their sufficient
statistics), so scoring any split of the customers gives the same rows as scoring them at once.
``ANALYTICS_SCORING_SHARDS`` (default 1) sets how many shards a step scores, one COPY each.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from analytics import db, snapshots

__all__ = ["scoring_shards", "churn_horizon_days", "behavior_k_range", "ltv_score_weights", "score_rfm", "score_clv",
           "score_churn", "score_segments", "record_model_run", "with_acquisition_cost"]

log = logging.getLogger(__name__)


def scoring_shards() -> int:
    raw = os.environ.get("ANALYTICS_SCORING_SHARDS", "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise ValueError(f"ANALYTICS_SCORING_SHARDS must be a whole number from 1 to 256, got {raw!r}")
    return int(raw)


def _shards(features: pd.DataFrame, shards: int) -> Iterator[pd.DataFrame]:
    if shards == 1:
        yield features
        return
    numbers = snapshots.shard_of(features["customer_id_nat"], shards)
    for shard in range(shards):
        yield features[numbers == shard]


def record_model_run(conn: Any, run_id: str, day: date, model_name: str, *, model_version: str | None = None,
                     time_unit: str | None = None, sample_size: int | None = None,
                     compressed_size: int | None = None, converged: bool | None = None,
                     log_likelihood: float | None = None, params: dict | None = None, metrics: dict | None = None,
                     seconds: float | None = None) -> None:
    """One row of ``audit.model_run``."""
    with conn.cursor() as cur:
        cur.execute("""
            insert into audit.model_run (run_id, snapshot_date, model_name, model_version, time_unit, sample_size,
                                         compressed_size, converged, log_likelihood, params, metrics, seconds)
            values (%(run_id)s, %(day)s, %(name)s, %(version)s, %(unit)s, %(n)s, %(compressed)s, %(converged)s,
                    %(ll)s, %(params)s, %(metrics)s, %(seconds)s)""", {
            "run_id": run_id, "day": day, "name": model_name, "version": model_version, "unit": time_unit,
            "n": sample_size, "compressed": compressed_size, "converged": converged, "ll": log_likelihood,
            "params": json.dumps(_plain(params or {})), "metrics": json.dumps(_plain(metrics or {})),
            "seconds": seconds})


def _plain(value: Any) -> Any:
    """JSON-ready copy of model parameters and metrics: numpy scalars and arrays to Python, NaN to null
    (jsonb has no NaN), dates to ISO text, dict keys to text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _write_shards(engine: sa.Engine, fact: str, day: date, features: pd.DataFrame,
                  score: Callable[[pd.DataFrame], pd.DataFrame], shards: int,
                  finish: Callable[[Any], None]) -> int:
    """Score each shard, COPY it into the fact's stage table and seal it, all in one transaction."""
    rows = 0
    customer_sk = features.set_index("customer_id_nat")["customer_sk"]
    with db.transaction(engine) as conn:
        for number, shard in enumerate(_shards(features, shards)):
            scored = score(shard)
            scored.insert(0, "snapshot_date", day)
            scored.insert(2, "customer_sk", customer_sk.reindex(scored["customer_id_nat"]).to_numpy())
            snapshots.write_stage(conn, fact, day, scored, append=number > 0)
            rows += len(scored)
        snapshots.seal_stage(conn, fact, day)
        finish(conn)
    return rows


def _no_customers(engine: sa.Engine, fact: str, day: date, run_id: str, model_name: str) -> int:
    """An empty, sealed stage for a day on which no customer had ordered yet (a new shop)."""
    with db.transaction(engine) as conn:
        snapshots.empty_stage(conn, fact, day)
        record_model_run(conn, run_id, day, model_name, sample_size=0,
                         metrics={"skipped": "no customer had a qualified order by this date"})
    log.info("%s %s: no customers", model_name, day)
    return 0


def _latest_snapshot(engine: sa.Engine, fact: str, columns: str, on_or_before: date) -> pd.DataFrame | None:
    """The latest published snapshot of ``fact`` on or before a date (None when there is none)."""
    with db.transaction(engine) as conn:
        row = db.fetch_one(conn, f"select max(snapshot_date) from core.{fact} where snapshot_date <= %(d)s",
                           {"d": on_or_before})
    if row is None or row[0] is None:
        return None
    return snapshots.read_frame(engine, f"select {columns} from core.{fact} where snapshot_date = %(d)s",
                                {"d": row[0]})


def _segment_rules(engine: sa.Engine, segment_type: str = "rfm") -> pd.DataFrame:
    """The active rules of a segment type, in priority order."""
    return snapshots.read_frame(engine, """
        select segment_key, segment_code, segment_name, priority, r_min, r_max, f_min, f_max, m_min, m_max,
               description, recommended_action
        from core.dim_customer_segment where segment_type = %(t)s and is_active order by priority""",
                                {"t": segment_type})


def score_rfm(engine: sa.Engine, day: date, run_id: str, shards: int | None = None) -> int:
    """RFM scores and segments of every customer with an order, into the RFM stage table of ``day``."""
    from analytics.scorers.rfm import OUTPUT_COLUMNS, RFMCalculator

    started = time.perf_counter()
    features = snapshots.read_features(engine, day)
    if features.empty:
        return _no_customers(engine, "fact_customer_rfm", day, run_id, "rfm")
    rules = _segment_rules(engine)
    calculator = RFMCalculator(segment_rules=rules.drop(columns=["segment_key"])).fit(features, day)
    previous = _latest_snapshot(engine, "fact_customer_rfm", "customer_id_nat, rfm_score, segment_code",
                                day - timedelta(days=1))
    segment_key = rules.set_index("segment_code")["segment_key"]

    def score(shard: pd.DataFrame) -> pd.DataFrame:
        out = calculator.score(shard, previous)[OUTPUT_COLUMNS].drop(columns=["snapshot_date"])
        out.insert(out.columns.get_loc("segment_code"), "segment_key",
                   segment_key.reindex(out["segment_code"]).to_numpy())
        return out

    def finish(conn: Any) -> None:
        record_model_run(conn, run_id, day, "rfm", sample_size=calculator.n_customers_,
                         params={"frequency_column": calculator.frequency_column,
                                 "monetary_column": calculator.monetary_column,
                                 "gross_margin": calculator.gross_margin},
                         metrics={"quantile_edges": calculator.quantile_edges_.to_dict(),
                                  "cltv_edges": calculator.cltv_edges_, "overall_aov": calculator.overall_aov_},
                         seconds=round(time.perf_counter() - started, 3))

    rows = _write_shards(engine, "fact_customer_rfm", day, features, score, shards or scoring_shards(), finish)
    log.info("rfm %s: %s customers in %.1fs", day, rows, time.perf_counter() - started)
    return rows


def _value_tiers(engine: sa.Engine) -> pd.DataFrame:
    return snapshots.read_frame(engine, """
        select tier_key, tier_code, min_percentile from core.dim_customer_tier
        where tier_type = 'clv_value' order by tier_rank""")


def _acquisition_costs(engine: sa.Engine) -> pd.Series:
    """Acquisition cost (AED) by customer from ``core.fact_customer_acquisition`` (built earlier in the run)."""
    frame = snapshots.read_frame(engine, """
        select customer_id_nat, acquisition_cost_aed from core.fact_customer_acquisition
        where acquisition_cost_aed is not null""")
    return frame.set_index("customer_id_nat")["acquisition_cost_aed"]


def with_acquisition_cost(scores: pd.DataFrame, costs: pd.Series) -> pd.DataFrame:
    """``scores`` plus ``acquisition_cost_aed`` (NULL without acquisition data) and ``clv_to_cac_ratio`` =
    predicted lifetime CLV / acquisition cost (NULL when either is unknown or the cost is zero)."""
    cost = costs.reindex(scores["customer_id_nat"]).to_numpy(dtype=float)
    clv = scores["predicted_clv_lifetime_aed"].to_numpy(dtype=float)
    ratio = np.divide(clv, cost, out=np.full(len(cost), np.nan), where=cost > 0)
    return scores.assign(acquisition_cost_aed=cost, clv_to_cac_ratio=np.round(ratio, 4))


def score_clv(engine: sa.Engine, day: date, run_id: str, shards: int | None = None) -> int:
    """Historical and predicted lifetime value of every customer, into the LTV stage table of ``day``."""
    from analytics.scorers.clv import SCORE_COLUMNS, CLVCalculator

    started = time.perf_counter()
    features = snapshots.read_features(engine, day)
    if features.empty:
        return _no_customers(engine, "fact_customer_ltv", day, run_id, "bg_nbd")
    tiers = _value_tiers(engine)
    calculator = CLVCalculator(tiers=list(zip(tiers["tier_code"], tiers["min_percentile"].astype(float),
                                              strict=True))).fit(features)
    previous = _latest_snapshot(engine, "fact_customer_ltv", "customer_id_nat, predicted_clv_lifetime_aed",
                                day - timedelta(days=30))
    tier_key = tiers.set_index("tier_code")["tier_key"]
    costs = _acquisition_costs(engine)

    def score(shard: pd.DataFrame) -> pd.DataFrame:
        out = calculator.score(shard, day, previous)[list(SCORE_COLUMNS)]
        out.insert(out.columns.get_loc("value_tier"), "tier_key", tier_key.reindex(out["value_tier"]).to_numpy())
        return with_acquisition_cost(out, costs)

    def finish(conn: Any) -> None:
        if not calculator.bgnbd_:  # not fitted at all: say so
            for name in ("bg_nbd", "gamma_gamma"):
                record_model_run(conn, run_id, day, name, sample_size=calculator.n_customers_, converged=False,
                                 metrics={"skipped": calculator.skipped_reason_})
        for name, diagnostics in calculator.diagnostics().items():
            if calculator.skipped_reason_:
                diagnostics["not_used"] = calculator.skipped_reason_
            record_model_run(conn, run_id, day, name, time_unit=diagnostics.get("time_unit"),
                             sample_size=diagnostics.get("n_customers"),
                             compressed_size=diagnostics.get("n_compressed"),
                             converged=diagnostics.get("converged"),
                             log_likelihood=diagnostics.get("log_likelihood"), params=diagnostics.get("params"),
                             metrics={k: v for k, v in diagnostics.items() if k not in ("params", "model")},
                             seconds=diagnostics.get("seconds"))

    rows = _write_shards(engine, "fact_customer_ltv", day, features, score, shards or scoring_shards(), finish)
    log.info("clv %s: %s customers in %.1fs", day, rows, time.perf_counter() - started)
    return rows


def score_churn(engine: sa.Engine, day: date, run_id: str, shards: int | None = None) -> int:
    """Churn risk of every customer, into the churn stage table of ``day``.

    The model learns from the features as of ``day`` minus the horizon, labelled by whether each customer
    ordered in the horizon that followed (which ends on ``day``: nothing later is read).
    """
    from analytics.scorers.churn import OUTPUT_COLUMNS, ChurnPredictor

    started = time.perf_counter()
    horizon = churn_horizon_days()
    features = snapshots.read_features(engine, day)
    if features.empty:
        return _no_customers(engine, "fact_customer_churn_risk", day, run_id, "churn_rules")
    training = snapshots.read_training_frame(engine, day - timedelta(days=horizon), day)
    predictor = ChurnPredictor(horizon_days=horizon).fit(training)
    del training

    def score(shard: pd.DataFrame) -> pd.DataFrame:
        return predictor.score(shard, day)[OUTPUT_COLUMNS].drop(columns=["snapshot_date"])

    def finish(conn: Any) -> None:
        diagnostics = predictor.diagnostics()
        record_model_run(conn, run_id, day, diagnostics["model"], model_version=diagnostics["model_version"],
                         sample_size=diagnostics["n_customers"], converged=predictor.uses_model_,
                         params={k: v for k, v in diagnostics.items() if k != "metrics"},
                         metrics=diagnostics["metrics"], seconds=diagnostics["seconds"])

    rows = _write_shards(engine, "fact_customer_churn_risk", day, features, score, shards or scoring_shards(),
                         finish)
    log.info("churn %s: %s customers in %.1fs (%s)", day, rows, time.perf_counter() - started,
             "model" if predictor.uses_model_ else "rules")
    return rows


def churn_horizon_days() -> int:
    """Churn = no qualified order in this many days (``ANALYTICS_CHURN_HORIZON_DAYS``, default 90)."""
    raw = os.environ.get("ANALYTICS_CHURN_HORIZON_DAYS", "90").strip()
    if not raw.isdigit() or not 7 <= int(raw) <= 730:
        raise ValueError(f"ANALYTICS_CHURN_HORIZON_DAYS must be a whole number of days from 7 to 730, got {raw!r}")
    return int(raw)


def behavior_k_range() -> tuple[int, int]:
    """The k-means search range of the behavioural segments (``ANALYTICS_BEHAVIOR_K_MIN`` and
    ``ANALYTICS_BEHAVIOR_K_MAX``, default 3 and 8, each 2..20)."""
    bounds = []
    for name, default in (("ANALYTICS_BEHAVIOR_K_MIN", "3"), ("ANALYTICS_BEHAVIOR_K_MAX", "8")):
        raw = os.environ.get(name, default).strip()
        if not raw.isdigit() or not 2 <= int(raw) <= 20:
            raise ValueError(f"{name} must be a whole number from 2 to 20, got {raw!r}")
        bounds.append(int(raw))
    if bounds[0] > bounds[1]:
        raise ValueError(f"ANALYTICS_BEHAVIOR_K_MIN ({bounds[0]}) must not exceed "
                         f"ANALYTICS_BEHAVIOR_K_MAX ({bounds[1]})")
    return bounds[0], bounds[1]


def ltv_score_weights() -> tuple[float, float, float]:
    """Weights of RFM, behaviour and predicted value in the LTV score (``ANALYTICS_LTV_SCORE_WEIGHTS``, three
    whole percentages summing to 100, default ``40,30,30``)."""
    raw = os.environ.get("ANALYTICS_LTV_SCORE_WEIGHTS", "40,30,30").strip()
    parts = [part.strip() for part in raw.split(",")]
    if len(parts) != 3 or not all(part.isdigit() for part in parts) or sum(map(int, parts)) != 100:
        raise ValueError(f"ANALYTICS_LTV_SCORE_WEIGHTS must be three whole percentages summing to 100 "
                         f"(RFM, behaviour, value), e.g. 40,30,30; got {raw!r}")
    rfm, behaviour, value = (int(part) / 100 for part in parts)
    return rfm, behaviour, value


def _segment_inputs(engine: sa.Engine, day: date, features: pd.DataFrame) -> pd.DataFrame:
    """The features joined to the day's RFM and LTV scores (their sealed stage tables), one row per customer."""
    inputs = features
    for fact, columns in (
        ("fact_customer_rfm", "customer_id_nat, recency_score, frequency_score, monetary_score, monetary_percentile"),
        ("fact_customer_ltv", "customer_id_nat, predicted_clv_lifetime_aed, historical_clv_aed, probability_alive"),
    ):
        scores = snapshots.read_stage(engine, fact, day, columns)
        if not scores["customer_id_nat"].equals(features["customer_id_nat"]):
            raise ValueError(f"core.{snapshots.stage_name(fact, day)} does not score the {len(features)} customers "
                             f"of the features of {day} ({len(scores)} rows): rerun its scorer")
        inputs = inputs.join(scores.drop(columns="customer_id_nat"))
    return inputs


def _ltv_tiers(engine: sa.Engine) -> pd.DataFrame:
    return snapshots.read_frame(engine, """
        select tier_key, tier_code, tier_name, min_score, promotion_category from core.dim_customer_tier
        where tier_type = 'ltv_score' order by tier_rank""")


def score_segments(engine: sa.Engine, day: date, run_id: str, shards: int | None = None) -> int:
    """Behavioural segment, behaviour score, LTV score, VIP tier and promotion category of every customer, into
    the segment stage table of ``day``. Reads that day's RFM and LTV stage tables: runs after those scorers."""
    from analytics.scorers.behavior import BehaviorSegmenter
    from analytics.scorers.value_tier import ValueTierScorer

    started = time.perf_counter()
    features = snapshots.read_features(engine, day)
    if features.empty:
        return _no_customers(engine, "fact_customer_segment", day, run_id, "behavior_kmeans")
    inputs = _segment_inputs(engine, day, features)
    del features
    rules = _segment_rules(engine, "behavioral")
    fallback = rules[rules["r_min"].isna()]
    if len(fallback) != 1:
        raise ValueError("core.dim_customer_segment needs exactly one active behavioral row without level ranges "
                         f"(the segment of a single cluster), found {len(fallback)}")
    k_min, k_max = behavior_k_range()
    segmenter = BehaviorSegmenter(
        k_min=k_min, k_max=k_max, segment_rules=rules[rules["r_min"].notna()].drop(columns=["segment_key"]),
        fallback_segment=(fallback["segment_code"].iloc[0], fallback["segment_name"].iloc[0])).fit(inputs)
    tiers = _ltv_tiers(engine)
    scorer = ValueTierScorer(weights=ltv_score_weights(), tiers=list(zip(
        tiers["tier_code"], tiers["tier_name"], tiers["min_score"].astype(float), tiers["promotion_category"],
        strict=True))).fit(inputs)
    segment_key = rules.set_index("segment_code")["segment_key"]
    tier_key = tiers.set_index("tier_code")["tier_key"]

    def score(shard: pd.DataFrame) -> pd.DataFrame:
        behaviour = segmenter.score(shard)
        value = scorer.score(shard.assign(behaviour_score=behaviour["behaviour_score"].to_numpy()))
        return behaviour.join(value.drop(columns="customer_id_nat")).assign(
            segment_key=segment_key.reindex(behaviour["segment_code"]).to_numpy(),
            tier_key=tier_key.reindex(value["tier_code"]).to_numpy(),
            model_version=segmenter.model_version_).drop(columns="tier_code")

    def finish(conn: Any) -> None:
        seconds = round(time.perf_counter() - started, 3)
        record_model_run(conn, run_id, day, "behavior_kmeans", model_version=segmenter.model_version_,
                         sample_size=segmenter.n_customers_, converged=segmenter.clustered_,
                         params={name: getattr(segmenter, name) for name in (
                             "k_min", "k_max", "random_state", "n_init", "fit_sample_size", "silhouette_sample_size",
                             "level_band", "min_customers")} | {"score_weights": segmenter.weights_},
                         metrics={"k": segmenter.k_, "silhouette": segmenter.silhouette_,
                                  "clusters": segmenter.clusters()}, seconds=seconds)
        stage = snapshots.stage_name("fact_customer_segment", day)
        counts = {column: dict(db.fetch_all(conn, f"select {column}, count(*) from core.{stage} group by 1"))
                  for column in ("vip_tier", "promotion_category")}
        record_model_run(conn, run_id, day, "ltv_score", sample_size=scorer.n_customers_,
                         params={"weights": scorer.weights, "tiers": scorer.tiers,
                                 "reengage_min_value_percentile": scorer.reengage_min_value_percentile,
                                 "reengage_max_p_alive": scorer.reengage_max_p_alive,
                                 "reengage_after_days": scorer.reengage_after_days},
                         metrics=counts, seconds=seconds)

    rows = _write_shards(engine, "fact_customer_segment", day, inputs, score, shards or scoring_shards(), finish)
    log.info("segments %s: %s customers, k=%s in %.1fs", day, rows, segmenter.k_, time.perf_counter() - started)
    return rows
