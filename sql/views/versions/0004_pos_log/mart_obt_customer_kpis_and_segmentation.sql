-- mart.obt_customer_kpis_and_segmentation: 1 row = 1 scored customer of the newest published score
-- snapshot (never CURRENT_DATE: a late or failed run shows the previous day). One wide table for tools that
-- prefer one: AOV, CLTV and its group, RFM values, scores and segment, churn flag, group and risk, value tier.
create or replace view mart.obt_customer_kpis_and_segmentation as
with latest as (
    select max(snapshot_date) as snapshot_date from core.fact_customer_rfm
),

final as (
    select
        r.snapshot_date,
        r.customer_id_nat,
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
    inner join latest on r.snapshot_date = latest.snapshot_date
    left join core.fact_customer_ltv as l
        on r.snapshot_date = l.snapshot_date and r.customer_id_nat = l.customer_id_nat
    left join core.fact_customer_churn_risk as c
        on r.snapshot_date = c.snapshot_date and r.customer_id_nat = c.customer_id_nat
    left join core.dim_customer as dc on r.customer_sk = dc.customer_sk
)

select * from final;
