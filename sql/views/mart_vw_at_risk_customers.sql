-- mart.vw_at_risk_customers: 1 row = 1 High or Critical churn-risk customer of the newest published snapshot
-- (core.at_risk_customers), in intervention order (priority 1 first, then the highest risk score), by
-- pseudonymous customer code with masked e-mail and phone (names and full contact details:
-- outreach.at_risk_contacts, role crm_outreach): risk, top three factors, recommended action, predicted
-- lifetime CLV at risk, value tier, RFM segment, region. Dashboards page through it (limit).
create or replace view mart.vw_at_risk_customers as
select
    snapshot_date,
    customer_code,
    intervention_priority,
    churn_risk_category,
    churn_risk_score,
    churn_probability,
    days_since_last_order,
    predicted_churn_date,
    days_until_predicted_churn,
    top_churn_factor_1,
    top_churn_factor_2,
    top_churn_factor_3,
    recommended_action,
    value_at_risk_aed,
    value_tier,
    rfm_segment,
    region,
    core.mask_email(email) as email_masked,
    core.mask_phone(phone) as phone_masked
from core.at_risk_customers;
