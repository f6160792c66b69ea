-- outreach.at_risk_contacts: 1 row = 1 High or Critical churn-risk customer of the newest published snapshot
-- (core.at_risk_customers), in intervention order, with the real contact details CRM needs to act (role
-- crm_outreach only; DESIGN §8): customer id and code, name, e-mail, phone, city, region, loyalty tier, risk,
-- top factors, recommended action, intervention priority (1 = act first) and the predicted lifetime CLV at risk.
create or replace view outreach.at_risk_contacts as
select
    snapshot_date,
    customer_id_nat,
    customer_code,
    full_name,
    email,
    phone,
    city,
    region,
    loyalty_tier,
    intervention_priority as priority,
    churn_risk_category,
    churn_risk_score,
    top_churn_factor_1,
    top_churn_factor_2,
    top_churn_factor_3,
    recommended_action,
    value_at_risk_aed,
    value_tier
from core.at_risk_customers;
