-- core.at_risk_customers: 1 row = 1 High or Critical churn-risk customer of the newest published snapshot, in
-- intervention order (priority 1 first, then the highest risk score, then the customer), with the current
-- CRM record's key contact columns: the one definition of the at-risk list that mart.vw_at_risk_customers
-- (pseudonymised, masked) and outreach.at_risk_contacts (named) both show. Not for readers: core is closed.
-- The newest partition is read in that order through core.fact_customer_churn_risk_at_risk_idx, with one
-- primary-key lookup per listed customer into each other table (lateral joins: the planner cannot know at
-- plan time which partition the newest date is, and with joins it may hash or scan a whole snapshot), so a
-- page of the list costs a page of lookups. Each lookup finds at most one row (a key); its "limit 1" keeps
-- the planner from flattening it back into a join.
create or replace view core.at_risk_customers as
with at_risk as (
    select
        c.snapshot_date,
        c.customer_id_nat,
        c.intervention_priority,
        c.churn_risk_category,
        c.churn_risk_score,
        c.churn_probability,
        c.days_since_last_order,
        c.predicted_churn_date,
        c.days_until_predicted_churn,
        c.top_churn_factor_1,
        c.top_churn_factor_2,
        c.top_churn_factor_3,
        c.recommended_action
    from core.fact_customer_churn_risk as c
    where
        c.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
        and c.churn_risk_category in ('High', 'Critical')
),

final as (
    select
        a.*,
        p.customer_code,
        l.predicted_clv_lifetime_aed as value_at_risk_aed,
        l.value_tier,
        r.segment_name as rfm_segment,
        d.full_name,
        d.email,
        d.phone,
        d.city,
        d.region,
        d.loyalty_tier
    from at_risk as a
    cross join
        lateral (
            select ps.customer_code from core.customer_pseudonym as ps
            where ps.customer_id_nat = a.customer_id_nat
            limit 1  -- noqa: AM09
        ) as p
    left join lateral (
        select
            lt.predicted_clv_lifetime_aed,
            lt.value_tier
        from core.fact_customer_ltv as lt
        where lt.snapshot_date = a.snapshot_date and lt.customer_id_nat = a.customer_id_nat
        limit 1  -- noqa: AM09
    ) as l on true
    left join lateral (
        select rf.segment_name
        from core.fact_customer_rfm as rf
        where rf.snapshot_date = a.snapshot_date and rf.customer_id_nat = a.customer_id_nat
        limit 1  -- noqa: AM09
    ) as r on true
    left join lateral (
        select
            dc.full_name,
            dc.email,
            dc.phone,
            dc.city,
            dc.region,
            dc.loyalty_tier
        from core.dim_customer as dc
        where dc.customer_id_nat = a.customer_id_nat and dc.is_current
        limit 1  -- noqa: AM09
    ) as d on true
    order by a.intervention_priority asc, a.churn_risk_score desc, a.customer_id_nat asc
)

select * from final;
