-- Removes what revision 0007 added, in this database only. The roles analytics_etl, bi_reader and
-- crm_outreach are left in place: they are cluster-wide and other databases of the server may use them
-- (dropping a role that holds privileges elsewhere fails, and one dropped under a concurrent migration breaks
-- it). What this database gave them goes: objects they own return to the migrating user, and their
-- privileges and default privileges here are revoked. The revision's downgrade then re-creates the previous
-- version of the views it replaced.

drop schema if exists outreach cascade;

drop view if exists mart.vw_rfm_segment_summary;
drop materialized view if exists mart.vw_rfm_segment_summary_history;
drop materialized view if exists mart.vw_rfm_score_distribution;
drop materialized view if exists mart.vw_segment_migration;
drop view if exists mart.vw_clv_tier_summary;
drop materialized view if exists mart.vw_clv_tier_summary_history;
drop materialized view if exists mart.vw_clv_distribution;
drop view if exists mart.vw_top_customers_clv;
drop view if exists mart.vw_churn_risk_overview;
drop materialized view if exists mart.vw_churn_risk_overview_history;
drop view if exists mart.vw_at_risk_customers;
drop view if exists core.at_risk_customers;
drop materialized view if exists mart.vw_churn_factor_analysis;
drop materialized view if exists mart.vw_customer_cohort_analysis;
drop materialized view if exists mart.vw_model_quality;
drop view if exists mart.vw_pipeline_health;
drop materialized view if exists mart.obt_overall_customer_kpis;
drop view if exists mart.obt_customer_kpis_and_segmentation;

do $$
declare
    obj record;
    grantee text;
begin
    for obj in
        select n.nspname, c.relname, c.relkind
        from pg_class as c
        inner join pg_namespace as n on c.relnamespace = n.oid
        where pg_get_userbyid(c.relowner) = 'analytics_etl' and c.relkind in ('r', 'v', 'm')
    loop
        execute format(
            'alter %s %I.%I owner to %I',
            case obj.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
            obj.nspname, obj.relname, current_user
        );
    end loop;
    for obj in
        select pg_get_userbyid(a.defaclrole) as owner_name, n.nspname
        from pg_default_acl as a
        inner join pg_namespace as n on a.defaclnamespace = n.oid
        where a.defaclobjtype = 'r'
    loop
        foreach grantee in array array['analytics_etl', 'bi_reader', 'crm_outreach'] loop
            execute format('alter default privileges for role %I in schema %I revoke all on tables from %I',
                           obj.owner_name, obj.nspname, grantee);
        end loop;
    end loop;
end
$$;

revoke all on all tables in schema raw, stg, core, audit, mart from analytics_etl, bi_reader, crm_outreach;
revoke all on schema raw, stg, core, audit, mart from analytics_etl, bi_reader, crm_outreach;

drop function if exists core.mask_phone(text);
drop function if exists core.mask_email(text);
drop function if exists core.assign_customer_pseudonyms();
drop function if exists core.random_customer_code();
drop table if exists core.customer_pseudonym;
drop index if exists core.fact_customer_churn_risk_at_risk_idx;
drop index if exists core.fact_customer_ltv_top_clv_idx;
drop table if exists core.score_snapshot;
alter table core.dim_customer_segment
drop constraint if exists dim_customer_segment_value_group_chk,
drop column if exists value_group,
drop column if exists value_rank;
