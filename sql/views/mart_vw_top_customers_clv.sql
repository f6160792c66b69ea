-- mart.vw_top_customers_clv: 1 row = 1 of the 100 customers with the highest predicted lifetime CLV in the
-- newest published snapshot (ties by customer), by pseudonymous customer code: rank, value tier and
-- percentile, historical and predicted value, RFM segment, churn risk. Reads the newest partition through
-- core.fact_customer_ltv_top_clv_idx and 100 primary-key lookups per fact (lateral joins: with plain joins
-- the planner, not knowing the newest date's partition at plan time, may hash a whole snapshot; each lookup's
-- "limit 1" keeps it from flattening the lookup back into a join).
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
    cross join
        lateral (
            select ps.customer_code from core.customer_pseudonym as ps
            where ps.customer_id_nat = t.customer_id_nat
            limit 1  -- noqa: AM09
        ) as p
    left join lateral (
        select
            rf.segment_name,
            rf.rfm_score
        from core.fact_customer_rfm as rf
        where rf.snapshot_date = t.snapshot_date and rf.customer_id_nat = t.customer_id_nat
        limit 1  -- noqa: AM09
    ) as r on true
    left join lateral (
        select
            cr.churn_risk_category,
            cr.churn_risk_score,
            cr.churn_probability
        from core.fact_customer_churn_risk as cr
        where cr.snapshot_date = t.snapshot_date and cr.customer_id_nat = t.customer_id_nat
        limit 1  -- noqa: AM09
    ) as c on true
)

select * from final;
