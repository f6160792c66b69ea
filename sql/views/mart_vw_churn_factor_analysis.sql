-- mart.vw_churn_factor_analysis: 1 row = 1 churn factor of the newest published snapshot. A factor is a
-- customer's top_churn_factor_1..3 in words with its numbers as 'N' and its bracketed detail dropped ("No
-- order for 200 days (20.0x their usual gap)" -> "No order for N days"). Occurrences (customers naming it
-- among their top three), of which as the first factor and among High/Critical customers, share of scored
-- customers, average churn risk score and the predicted lifetime CLV of the customers affected.
-- Materialized (three factors of every customer), refreshed after each publish by analytics.marts.
create materialized view mart.vw_churn_factor_analysis as
with scored as (
    select
        c.snapshot_date,
        c.customer_id_nat,
        c.churn_risk_category,
        c.churn_risk_score,
        c.top_churn_factor_1,
        c.top_churn_factor_2,
        c.top_churn_factor_3,
        l.predicted_clv_lifetime_aed
    from core.fact_customer_churn_risk as c
    left join core.fact_customer_ltv as l
        on c.snapshot_date = l.snapshot_date and c.customer_id_nat = l.customer_id_nat
    where c.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
),

named as (
    select
        s.snapshot_date,
        s.churn_risk_category,
        s.churn_risk_score,
        s.predicted_clv_lifetime_aed,
        f.factor_position,
        regexp_replace(regexp_replace(f.factor_text, '\s*\([^)]*\)', '', 'g'), '[0-9]+(\.[0-9]+)?', 'N', 'g')
            as churn_factor
    from scored as s
    cross join
        lateral (
            values (1, s.top_churn_factor_1), (2, s.top_churn_factor_2), (3, s.top_churn_factor_3)
        ) as f (factor_position, factor_text)
    where f.factor_text is not null
),

final as (
    select
        snapshot_date,
        churn_factor,
        count(*) as occurrences,
        count(*) filter (where factor_position = 1) as as_first_factor,
        count(*) filter (where churn_risk_category in ('High', 'Critical')) as high_risk_occurrences,
        round(count(*)::numeric / (select count(*) from scored), 4) as customer_share,
        round(avg(churn_risk_score), 1) as avg_churn_risk_score,
        sum(predicted_clv_lifetime_aed) as clv_affected_aed
    from named
    group by snapshot_date, churn_factor
)

select * from final;

create unique index vw_churn_factor_analysis_uq on mart.vw_churn_factor_analysis (snapshot_date, churn_factor);
