-- mart.vw_top_customers_clv: 1 row = 1 of the 100 customers with the highest predicted lifetime CLV in the
-- newest published snapshot (ties by customer), by pseudonymous customer code: rank, value tier and
-- percentile, historical and predicted value, RFM segment, churn risk. Reads the newest partition through
-- core.fact_customer_ltv_top_clv_idx and 100 primary-key lookups per fact (each join names the newest date
-- itself: a join on t.snapshot_date alone may scan every partition).
create or replace view mart.vw_top_customers_clv as
with top_valued as (
    select
        l.snapshot_date,
        l.customer_id_nat,
        l.value_tier,
        l.value_percentile,
        l.historical_revenue_aed,
        l.historical_orders,
        l.historical_clv_aed,
        l.predicted_clv_1y_aed,
        l.predicted_clv_lifetime_aed,
        l.probability_alive
    from core.fact_customer_ltv as l
    where
        l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
        and l.predicted_clv_lifetime_aed is not null
    order by l.predicted_clv_lifetime_aed desc nulls last, l.customer_id_nat asc
    limit 100
),

final as (
    select
        row_number() over (order by t.predicted_clv_lifetime_aed desc, t.customer_id_nat asc) as clv_rank,
        t.snapshot_date,
        p.customer_code,
        t.value_tier,
        t.value_percentile,
        t.historical_revenue_aed,
        t.historical_orders,
        t.historical_clv_aed,
        t.predicted_clv_1y_aed,
        t.predicted_clv_lifetime_aed,
        t.probability_alive,
        r.segment_name as rfm_segment,
        r.rfm_score,
        c.churn_risk_category,
        c.churn_risk_score,
        c.churn_probability
    from top_valued as t
    inner join core.customer_pseudonym as p on t.customer_id_nat = p.customer_id_nat
    left join core.fact_customer_rfm as r
        on
            r.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
            and t.customer_id_nat = r.customer_id_nat
    left join core.fact_customer_churn_risk as c
        on
            c.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
            and t.customer_id_nat = c.customer_id_nat
)

select * from final;
