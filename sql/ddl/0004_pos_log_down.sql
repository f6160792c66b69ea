drop view if exists mart.vw_price_consistency;
drop view if exists mart.vw_cleaning_summary;
drop view if exists mart.obt_overall_customer_kpis;
drop view if exists mart.obt_customer_kpis_and_segmentation;
drop materialized view if exists mart.vw_engagement_daily;
drop table if exists audit.cleaning_summary;
drop table if exists core.dim_product;
drop table if exists raw.pos_transactions;
drop table if exists stg.pos_transactions;
drop table if exists core.ref_pos_cleaning_rule;
drop table if exists core.ref_pos_category;
delete from core.dim_country
where country_code in (select iso_code from core.ref_pos_country_map);
drop table if exists core.ref_pos_country_map;
