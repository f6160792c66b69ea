drop table if exists core.fact_customer_churn_risk cascade;
drop table if exists core.fact_customer_ltv cascade;
drop table if exists core.fact_customer_rfm cascade;
drop table if exists core.customer_features cascade;
drop table if exists core.dim_customer_tier;
drop table if exists core.dim_customer_segment;
drop table if exists audit.model_run;
