-- outreach.at_risk_contacts: 1 row = 1 High or Critical churn-risk customer of the newest published snapshot,
-- with the real contact details CRM needs to act (role crm_outreach only; DESIGN §8): customer id and code,
-- name, e-mail, phone, city, region, loyalty tier, risk, top factors, recommended action, intervention priority
-- (1 = act first) and the predicted lifetime CLV at risk.
create or replace view outreach.at_risk_contacts as
with at_risk as (
    select
        c.snapshot_date,
        c.customer_id_nat,
        c.intervention_priority,
        c.churn_risk_category,
        c.churn_risk_score,
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
        a.snapshot_date,
        a.customer_id_nat,
        p.customer_code,
        d.full_name,
        d.email,
        d.phone,
        d.city,
        d.region,
        d.loyalty_tier,
        a.intervention_priority as priority,
        a.churn_risk_category,
        a.churn_risk_score,
        a.top_churn_factor_1,
        a.top_churn_factor_2,
        a.top_churn_factor_3,
        a.recommended_action,
        l.predicted_clv_lifetime_aed as value_at_risk_aed,
        l.value_tier
    from at_risk as a
    inner join core.customer_pseudonym as p on a.customer_id_nat = p.customer_id_nat
    left join core.dim_customer as d on a.customer_id_nat = d.customer_id_nat and d.is_current
    left join core.fact_customer_ltv as l
        on
            l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
            and a.customer_id_nat = l.customer_id_nat
    order by a.intervention_priority asc, a.churn_risk_score desc, a.customer_id_nat asc
)

select * from final;
