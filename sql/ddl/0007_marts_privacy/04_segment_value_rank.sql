-- Value order of the RFM segments, for segment migration (upgraded / downgraded) and the summary's value
-- group. The rule priority cannot serve: it is the order rules are tried in, and it puts Lost (100) before
-- Hibernating (110) only so that Lost is reachable, although Lost is the lower value.
alter table core.dim_customer_segment
add column value_rank smallint,
add column value_group text,
add constraint dim_customer_segment_value_group_chk check (
    value_group in ('High Value', 'Growth Potential', 'At Risk', 'Recovery/Lost')
);

update core.dim_customer_segment as s
set value_rank = v.value_rank, value_group = v.value_group
from (
    values
    ('CHAMPIONS', 1, 'High Value'),
    ('LOYAL_CUSTOMERS', 2, 'High Value'),
    ('POTENTIAL_LOYALISTS', 3, 'Growth Potential'),
    ('RECENT_CUSTOMERS', 4, 'Growth Potential'),
    ('PROMISING', 5, 'Growth Potential'),
    ('NEEDS_ATTENTION', 6, 'Growth Potential'),
    ('CANT_LOSE_THEM', 7, 'At Risk'),
    ('AT_RISK', 8, 'At Risk'),
    ('ABOUT_TO_SLEEP', 9, 'At Risk'),
    ('HIBERNATING', 10, 'Recovery/Lost'),
    ('LOST', 11, 'Recovery/Lost')
) as v (segment_code, value_rank, value_group)
where s.segment_type = 'rfm' and s.segment_code = v.segment_code;
