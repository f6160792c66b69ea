-- Orders of a build of the open months %(open_months)s through %(as_of)s: core.activity_build_sparse holds qualified
-- orders and returns per surviving customer x month x store region. The customers' history comes next
-- (history_from_summary.sql or history_from_scan.sql).
-- Millions of customer x month groups: a sort-based aggregate split over parallel workers beats a hash
-- aggregate that overflows work_mem (the planner underestimates the number of groups and picks the latter).
set local enable_hashagg = off;

drop table if exists core.activity_build_sparse;

create unlogged table core.activity_build_sparse as
select
    f.surviving_customer_id_nat as customer_id_nat,
    f.month_key,
    f.region,
    count(*) filter (where f.is_qualified) as orders_count,
    coalesce(sum(f.net_amount_native) filter (where f.is_qualified), 0) as net_amount_native,
    min(f.currency_code) filter (where f.is_qualified) as min_currency,
    max(f.currency_code) filter (where f.is_qualified) as max_currency,
    coalesce(sum(f.net_amount_aed) filter (where f.is_qualified), 0) as net_amount_aed,
    count(*) filter (where f.is_qualified_return) as returns_count,
    coalesce(sum(f.net_amount_aed) filter (where f.is_qualified_return), 0) as returns_amount_aed
from core.fact_order as f
where
    f.month_key = any(%(open_months)s::date[])
    and f.local_date <= %(as_of)s
    and (f.is_qualified or f.is_qualified_return)
group by 1, 2, 3;

reset enable_hashagg;

create index on core.activity_build_sparse (customer_id_nat, month_key);

analyze core.activity_build_sparse;
