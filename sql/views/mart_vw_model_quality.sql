-- mart.vw_model_quality: 1 row = 1 scoring date with model runs in audit.model_run (the latest run of each
-- model that day): the churn backtest on held-out customers (ROC AUC, PR AUC, Brier of the model; ROC AUC of
-- the rule score and of plain recency; observed churn rate against the mean predicted probability), the
-- lifetime-value fits (BG/NBD and Gamma-Gamma: customers, convergence, log-likelihood per customer), and for
-- month-end snapshots at least 28 days older than the newest published one, CLV predicted against actual:
-- the customers' predicted 1-year CLV, prorated to the days observed since (up to 365; approximate below a
-- year, as expected purchases slow down with time), against the margin they actually brought in those days
-- (revenue growth between the two snapshots x the margin used at the time). Materialized (joins two
-- snapshots of every customer per month end), refreshed after each publish by analytics.marts.
create materialized view mart.vw_model_quality as
with latest_runs as (
    select distinct on (m.snapshot_date, m.model_name)
        m.snapshot_date,
        m.model_name,
        m.model_version,
        m.sample_size,
        m.converged,
        m.log_likelihood,
        m.metrics
    from audit.model_run as m
    order by m.snapshot_date asc, m.model_name asc, m.model_run_id desc
),

churn as (
    select
        snapshot_date,
        model_name,
        model_version,
        metrics
    from latest_runs
    where model_name in ('churn_logistic_regression', 'churn_rules')
),

bg_nbd as (
    select * from latest_runs
    where model_name = 'bg_nbd'
),

gamma_gamma as (
    select * from latest_runs
    where model_name = 'gamma_gamma'
),

scoring_dates as (
    select distinct snapshot_date from latest_runs
),

newest as (
    select max(s.snapshot_date) as snapshot_date from core.score_snapshot as s
),

clv_outcomes as (
    select
        earlier.snapshot_date,
        count(*) as customers,
        sum(earlier.predicted_clv_1y_aed) as predicted_clv_1y_aed,
        sum((later.historical_revenue_aed - earlier.historical_revenue_aed) * earlier.margin_pct) as actual_value_aed
    from core.fact_customer_ltv as earlier
    inner join core.fact_customer_ltv as later
        on
        later.snapshot_date = (select n.snapshot_date from newest as n)
        and earlier.customer_id_nat = later.customer_id_nat
    where
        earlier.snapshot_date <= (select n.snapshot_date - 28 from newest as n)
        and earlier.snapshot_date = (date_trunc('month', earlier.snapshot_date) + interval '1 month - 1 day')::date
        and earlier.predicted_clv_1y_aed is not null
    group by earlier.snapshot_date
),

clv_validation as (
    select
        o.snapshot_date,
        n.snapshot_date as clv_observed_until,
        n.snapshot_date - o.snapshot_date as clv_days_observed,
        o.customers as clv_customers_observed,
        round(o.predicted_clv_1y_aed * least(n.snapshot_date - o.snapshot_date, 365) / 365.0, 2)
            as clv_predicted_aed,
        round(o.actual_value_aed, 2) as clv_actual_aed
    from clv_outcomes as o
    cross join newest as n
),

final as (
    select
        d.snapshot_date,
        c.model_name as churn_model,
        c.model_version as churn_model_version,
        c.metrics ->> 'evaluated_on' as churn_evaluated_on,
        (c.metrics -> 'model' ->> 'n')::int as churn_holdout_customers,
        (c.metrics -> 'model' ->> 'base_rate')::numeric as churn_observed_rate,
        (c.metrics -> 'model' ->> 'mean_score')::numeric as churn_mean_predicted_probability,
        (c.metrics -> 'model' ->> 'roc_auc')::numeric as churn_roc_auc,
        (c.metrics -> 'model' ->> 'pr_auc')::numeric as churn_pr_auc,
        (c.metrics -> 'model' ->> 'brier')::numeric as churn_brier,
        (c.metrics ->> 'brier_base_rate')::numeric as churn_brier_base_rate,
        (c.metrics -> 'rules' ->> 'roc_auc')::numeric as rules_roc_auc,
        (c.metrics -> 'recency' ->> 'roc_auc')::numeric as recency_roc_auc,
        b.sample_size as bg_nbd_customers,
        b.converged as bg_nbd_converged,
        b.log_likelihood / nullif(b.sample_size, 0) as bg_nbd_log_likelihood_per_customer,
        g.sample_size as gamma_gamma_customers,
        g.converged as gamma_gamma_converged,
        g.log_likelihood / nullif(g.sample_size, 0) as gamma_gamma_log_likelihood_per_customer,
        v.clv_observed_until,
        v.clv_days_observed,
        v.clv_customers_observed,
        v.clv_predicted_aed,
        v.clv_actual_aed,
        round(v.clv_actual_aed / nullif(v.clv_predicted_aed, 0), 4) as clv_actual_to_predicted
    from scoring_dates as d
    left join churn as c on d.snapshot_date = c.snapshot_date
    left join bg_nbd as b on d.snapshot_date = b.snapshot_date
    left join gamma_gamma as g on d.snapshot_date = g.snapshot_date
    left join clv_validation as v on d.snapshot_date = v.snapshot_date
)

select * from final;

create unique index vw_model_quality_uq on mart.vw_model_quality (snapshot_date);
