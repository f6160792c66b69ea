-- mart.obt_customer_kpis_and_segmentation: 1 row = 1 scored customer of the newest published score snapshot
-- (core.score_snapshot: never CURRENT_DATE, so a late or failed run shows the previous day), by pseudonymous
-- customer code. One wide table for tools that prefer one: AOV, CLTV and its group, RFM values, scores and
-- segment, churn flag, group and risk, value tier.
create or replace view mart.obt_customer_kpis_and_segmentation as
with final as (
    select
        r.snapshot_date,
        p.customer_code,
        dc.region,
        dc.loyalty_tier,
        dc.is_vip_flag,
        dc.acquisition_channel,
        l.historical_orders,
        l.historical_revenue_aed,
        r.customer_aov,
        r.avg_order_value as avg_order_value_365d,
        r.cltv,
        r.cltv_group,
        r.days_since_last_order,
        r.last_order_date,
        r.order_count_365_days,
        r.total_spend_365_days,
        r.recency_score,
        r.frequency_score,
        r.monetary_score,
        r.rfm_score,
        r.rfm_composite_score,
        r.segment_code,
        r.segment_name,
        r.is_churned,
        r.churn_risk_group,
        c.churn_probability,
        c.churn_risk_score,
        c.churn_risk_category,
        c.top_churn_factor_1,
        l.probability_alive,
        l.predicted_clv_1y_aed,
        l.predicted_clv_lifetime_aed,
        l.value_percentile,
        l.value_tier
    from core.fact_customer_rfm as r
    inner join core.customer_pseudonym as p on r.customer_id_nat = p.customer_id_nat
    left join core.fact_customer_ltv as l
        on
        l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
        and r.customer_id_nat = l.customer_id_nat
    left join core.fact_customer_churn_risk as c
        on
        c.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
        and r.customer_id_nat = c.customer_id_nat
    left join core.dim_customer as dc on r.customer_sk = dc.customer_sk
    where r.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
)

select * from final;
