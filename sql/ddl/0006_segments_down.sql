drop table if exists core.fact_customer_segment cascade;

delete from core.dim_customer_tier
where tier_type = 'ltv_score';
alter table core.dim_customer_tier
drop constraint dim_customer_tier_threshold_chk,
drop constraint dim_customer_tier_promotion_chk,
drop constraint dim_customer_tier_min_score_chk,
drop column promotion_category,
drop column min_score,
alter column min_percentile set not null;

delete from core.dim_customer_segment
where segment_type = 'behavioral';
alter table core.dim_customer_segment
drop constraint dim_customer_segment_ranges_chk,
add constraint dim_customer_segment_ranges_chk check (
    segment_type <> 'rfm' or (
        r_min between 1 and 5 and r_max between r_min and 5
        and f_min between 1 and 5 and f_max between f_min and 5
        and m_min between 1 and 5 and m_max between m_min and 5
    )
),
drop constraint dim_customer_segment_retention_priority_chk,
drop column is_active,
drop column retention_priority,
drop column criteria,
drop column parent_segment_code;
