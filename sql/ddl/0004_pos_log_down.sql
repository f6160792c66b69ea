drop view if exists mart.obt_overall_customer_kpis;
drop view if exists mart.obt_customer_kpis_and_segmentation;
drop materialized view if exists mart.vw_engagement_daily;
drop table if exists audit.cleaning_summary;
drop table if exists core.dim_product;
drop table if exists raw.pos_transactions;
