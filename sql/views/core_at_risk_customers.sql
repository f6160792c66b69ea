-- core.at_risk_customers: 1 row = 1 High or Critical churn-risk customer of the newest published snapshot, in
-- intervention order (priority 1 first, then the highest risk score, then the customer), with the current
-- CRM record's key contact columns: the one definition of the at-risk list that mart.vw_at_risk_customers
-- (pseudonymised, masked) and outreach.at_risk_contacts (named) both show. Not for readers: core is closed.
-- The newest partition is read in that order through core.fact_customer_churn_risk_at_risk_idx, with
-- primary-key lookups into the other facts (each join names the newest date itself: a join on the
-- snapshot_date column alone may scan every partition), so a page of the list costs a page of lookups.
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
    inner join core.customer_pseudonym as p on a.customer_id_nat = p.customer_id_nat
    left join core.fact_customer_ltv as l
        on
            l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
            and a.customer_id_nat = l.customer_id_nat
    left join core.fact_customer_rfm as r
        on
            r.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
            and a.customer_id_nat = r.customer_id_nat
    left join core.dim_customer as d
        on a.customer_id_nat = d.customer_id_nat and d.is_current
    order by a.intervention_priority asc, a.churn_risk_score desc, a.customer_id_nat asc
)

select * from final;
