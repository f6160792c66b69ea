-- outreach.vip_contacts: 1 row = 1 VIP of the newest published snapshot — a customer in the top value tier
-- (core.dim_customer_tier rank 1, Platinum) or flagged VIP in the CRM — with real contact details (role
-- crm_outreach only): why they are a VIP, value, churn risk, the VIP team's recommended action and the
-- intervention priority (1 = act first; the churn scorer's, which already ranks high-value customers sooner).
create or replace view outreach.vip_contacts as
with top_tier as (
    select t.tier_code
    from core.dim_customer_tier as t
    where t.tier_type = 'clv_value'
    order by t.tier_rank
    limit 1
),

valued as (
    select
        l.snapshot_date,
        l.customer_id_nat,
        l.value_tier,
        l.value_percentile,
        l.predicted_clv_lifetime_aed,
        l.historical_revenue_aed,
        l.value_tier = (select t.tier_code from top_tier as t) as is_top_tier
    from core.fact_customer_ltv as l
    where l.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
),

final as (
    select
        v.snapshot_date,
        v.customer_id_nat,
        p.customer_code,
        d.full_name,
        d.email,
        d.phone,
        d.city,
        d.region,
        d.loyalty_tier,
        case
            when v.is_top_tier and d.is_vip_flag = 1 then 'Top value tier and CRM VIP'
            when v.is_top_tier then 'Top value tier'
            else 'CRM VIP'
        end as vip_reason,
        v.value_tier,
        v.value_percentile,
        v.predicted_clv_lifetime_aed,
        v.historical_revenue_aed,
        c.churn_risk_category,
        c.intervention_priority as priority,
        case c.churn_risk_category
            when 'Critical' then 'VIP team: personal call today'
            when 'High' then 'VIP team: personal win-back offer this week'
            else 'VIP care: early access and thank-you'
        end as recommended_action
    from valued as v
    inner join core.customer_pseudonym as p on v.customer_id_nat = p.customer_id_nat
    left join core.dim_customer as d on v.customer_id_nat = d.customer_id_nat and d.is_current
    left join core.fact_customer_churn_risk as c
        on
        c.snapshot_date = (select max(s.snapshot_date) from core.score_snapshot as s)
        and v.customer_id_nat = c.customer_id_nat
    where v.is_top_tier or d.is_vip_flag = 1
    order by c.intervention_priority asc, v.predicted_clv_lifetime_aed desc nulls last, v.customer_id_nat asc
)

select * from final;
