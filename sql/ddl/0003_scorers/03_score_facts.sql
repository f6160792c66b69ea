-- Daily score snapshots (DESIGN §3, §6): 1 row = 1 customer x snapshot date, one partition per snapshot
-- date, all three published together by partition swap (analytics.scoring). Daily partitions are kept for
-- a configured number of days, month-end ones forever.

-- core.fact_customer_rfm: RFM scores and segment (REFERENCE §B) and the dbt-style historical metrics (§C).
create table core.fact_customer_rfm (
    snapshot_date date not null,
    customer_id_nat text not null,
    customer_sk bigint not null,
    days_since_last_order integer not null,
    last_order_date date not null,
    recency_score smallint not null check (recency_score between 1 and 5),
    order_count_365_days integer not null,
    order_count_180_days integer not null,
    order_count_90_days integer not null,
    avg_days_between_orders numeric(10, 2),
    frequency_score smallint not null check (frequency_score between 1 and 5),
    total_spend_365_days numeric(16, 2) not null,
    total_spend_180_days numeric(16, 2) not null,
    total_spend_90_days numeric(16, 2) not null,
    avg_order_value numeric(16, 2),
    monetary_score smallint not null check (monetary_score between 1 and 5),
    rfm_score char(3) not null,
    rfm_composite_score smallint not null,
    recency_percentile numeric(6, 2) not null,
    frequency_percentile numeric(6, 2) not null,
    monetary_percentile numeric(6, 2) not null,
    segment_key integer not null,
    segment_code text not null,
    segment_name text not null,
    rfm_score_change text,
    segment_changed boolean not null,
    customer_aov numeric(16, 2) not null,
    cltv numeric(18, 2) not null,
    cltv_group text not null check (cltv_group in ('Low', 'Medium', 'High')),
    is_churned boolean not null,
    churn_risk_group text not null check (churn_risk_group in ('Low', 'Medium', 'High', 'Churned')),
    primary key (customer_id_nat, snapshot_date)
) partition by range (snapshot_date);

-- core.fact_customer_ltv: historical and predicted (BG/NBD + Gamma-Gamma) lifetime value (REFERENCE §B). The
-- predicted columns are NULL when there were too few customers to fit the models (audit.model_run says so).
create table core.fact_customer_ltv (
    snapshot_date date not null,
    customer_id_nat text not null,
    customer_sk bigint not null,
    tenure_days integer not null,
    tenure_months numeric(10, 2) not null,
    historical_revenue_aed numeric(16, 2) not null,
    historical_orders integer not null,
    historical_profit_aed numeric(16, 2) not null,
    avg_order_value_aed numeric(16, 2) not null,
    orders_per_month numeric(12, 4) not null,
    margin_pct numeric(8, 4) not null,
    historical_clv_aed numeric(16, 2) not null,
    expected_transactions_1y numeric(12, 4),
    probability_alive numeric(8, 6) check (probability_alive between 0 and 1),
    expected_avg_order_value_aed numeric(16, 2),
    predicted_clv_1y_aed numeric(16, 2),
    predicted_clv_3y_aed numeric(16, 2),
    predicted_clv_lifetime_aed numeric(16, 2),
    clv_confidence_score numeric(6, 4) not null check (clv_confidence_score between 0 and 1),
    value_percentile numeric(6, 2) not null check (value_percentile between 0 and 100),
    tier_key integer not null,
    value_tier text not null,
    clv_change_30d_aed numeric(16, 2),
    clv_trend_30d text check (clv_trend_30d in ('UP', 'DOWN', 'FLAT')),
    primary key (customer_id_nat, snapshot_date)
) partition by range (snapshot_date);

-- core.fact_customer_churn_risk: churn probability, risk and its top factors (REFERENCE §B), scored by the
-- trained model or, with too little history, by the rule-based fallback (scored_by).
create table core.fact_customer_churn_risk (
    snapshot_date date not null,
    customer_id_nat text not null,
    customer_sk bigint not null,
    days_since_last_order integer not null,
    orders_last_30_days integer not null,
    orders_last_90_days integer not null,
    spend_last_30_days numeric(16, 2) not null,
    spend_last_90_days numeric(16, 2) not null,
    order_frequency_trend text not null,
    spend_trend text not null,
    engagement_trend text not null,
    avg_order_interval_change_pct numeric(12, 2),
    returns_count_90_days integer not null,
    is_one_time_buyer boolean not null,
    has_high_returns boolean not null,
    probability_alive numeric(8, 6) check (probability_alive between 0 and 1),
    churn_probability numeric(8, 6) not null check (churn_probability between 0 and 1),
    churn_risk_score smallint not null check (churn_risk_score between 0 and 100),
    churn_risk_category text not null check (churn_risk_category in ('Low', 'Medium', 'High', 'Critical')),
    predicted_churn_date date,
    days_until_predicted_churn integer,
    top_churn_factor_1 text,
    top_churn_factor_2 text,
    top_churn_factor_3 text,
    scored_by text not null check (scored_by in ('model', 'rules')),
    model_version text not null,
    intervention_priority smallint not null check (intervention_priority between 1 and 5),
    recommended_action text not null,
    primary key (customer_id_nat, snapshot_date)
) partition by range (snapshot_date);
