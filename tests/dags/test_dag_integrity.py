"""DAG files import cleanly, follow the house header and wire the task graphs the design describes."""

import pytest

from analytics import pipeline

DAG_IDS = {"customer_analytics_daily", "customer_activity_month_close"}


def test_dagbag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert DAG_IDS <= set(dagbag.dag_ids)


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_header_conventions(dagbag, dag_id):
    dag = dagbag.get_dag(dag_id)
    assert dag.doc_md and dag_id in dag.doc_md
    assert dag.start_date is not None and "Asia/Riyadh" in str(dag.timezone)
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert "customer-analytics" in dag.tags
    assert dag.default_args["retries"] >= 2 and dag.default_args["retry_delay"].total_seconds() >= 300


def test_daily_schedule_and_graph(dagbag):
    dag = dagbag.get_dag("customer_analytics_daily")
    assert dag.schedule == "0 5 * * *"
    scorers = {f"score_{name}" for name in pipeline.SCORERS}
    assert pipeline.FOLLOW_UP_SCORERS == {"segments": ("rfm", "clv")}
    assert _edges(dag) == {
        ("ingest", "stage"), ("stage", "core"), ("core", "activity"), ("activity", "acquisition"),
        ("acquisition", "features"),
        ("activity", "data_quality"), ("publish_scores", "marts"), ("marts", "data_quality"),
        *{("features", scorer) for scorer in scorers},
        ("score_rfm", "score_segments"), ("score_clv", "score_segments"),
        ("score_segments", "publish_scores"), ("score_churn", "publish_scores"),
    }


def test_month_close_schedule_params_and_graph(dagbag):
    dag = dagbag.get_dag("customer_activity_month_close")
    assert dag.schedule == "0 6 2 * *"
    assert dag.params["restate"] is False and dag.params["restate_reason"] == ""
    assert _edges(dag) == {("ingest", "stage"), ("stage", "core"), ("core", "close_month"),
                           ("close_month", "data_quality")}


def _edges(dag) -> set[tuple[str, str]]:
    return {(task.task_id, down) for task in dag.tasks for down in task.downstream_task_ids}
