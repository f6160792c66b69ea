-- core.dim_customer_segment gains the attributes of REFERENCE §B it lacked, and a second segment type:
-- 'behavioral' rows name k-means clusters from the recency, frequency and spend levels (1-3) of their
-- centroids, reusing the r/f/m range columns (first matching priority wins, as for 'rfm'). A behavioral row
-- without ranges is the fallback segment used when there are too few customers to cluster.
alter table core.dim_customer_segment
add column parent_segment_code text,
add column criteria text,
add column retention_priority smallint,
add column is_active boolean not null default true,
add constraint dim_customer_segment_retention_priority_chk check (retention_priority between 1 and 10),
drop constraint dim_customer_segment_ranges_chk,
add constraint dim_customer_segment_ranges_chk check (
    (
        segment_type <> 'rfm' or (
            r_min between 1 and 5 and r_max between r_min and 5
            and f_min between 1 and 5 and f_max between f_min and 5
            and m_min between 1 and 5 and m_max between m_min and 5
        )
    )
    and (
        segment_type <> 'behavioral'
        or num_nulls(r_min, r_max, f_min, f_max, m_min, m_max) = 6
        or (
            r_min between 1 and 3 and r_max between r_min and 3
            and f_min between 1 and 3 and f_max between f_min and 3
            and m_min between 1 and 3 and m_max between m_min and 3
        )
    )
);

-- The RFM rules' criteria in words and their retention priority (1 = retain first).
update core.dim_customer_segment as s
set
    criteria = format('R %s-%s, F %s-%s, M %s-%s', s.r_min, s.r_max, s.f_min, s.f_max, s.m_min, s.m_max),
    retention_priority = p.retention_priority
from (
    values
    ('CHAMPIONS', 1), ('CANT_LOSE_THEM', 2), ('LOYAL_CUSTOMERS', 3), ('AT_RISK', 4), ('POTENTIAL_LOYALISTS', 5),
    ('RECENT_CUSTOMERS', 6), ('NEEDS_ATTENTION', 6), ('PROMISING', 7), ('ABOUT_TO_SLEEP', 8), ('HIBERNATING', 9),
    ('LOST', 10)
) as p (segment_code, retention_priority)
where s.segment_type = 'rfm' and s.segment_code = p.segment_code;

insert into core.dim_customer_segment (
    segment_key, segment_type, segment_code, segment_name, priority, criteria, retention_priority, description,
    recommended_action
)
values (
    100, 'behavioral', 'ALL_CUSTOMERS', 'All customers', 1000, 'fewer customers than clustering needs', 5,
    'Too few customers to cluster: everyone is in one segment.', 'Standard marketing until there is more history.'
);

-- core.dim_customer_tier: 'ltv_score' tiers (REFERENCE §D's VIP tiers) are reached by a minimum LTV score
-- 0-100 instead of a value percentile, and carry the promotion category their members get.
alter table core.dim_customer_tier
add column min_score numeric(5, 2),
add column promotion_category text,
alter column min_percentile drop not null,
add constraint dim_customer_tier_min_score_chk check (min_score between 0 and 100),
add constraint dim_customer_tier_promotion_chk check (
    promotion_category in ('Eligible for VIP Promotions', 'Eligible for Re-engagement', 'Standard Marketing')
),
add constraint dim_customer_tier_threshold_chk check (
    case
        when tier_type = 'ltv_score' then min_score is not null and promotion_category is not null
        else min_percentile is not null
    end
);
