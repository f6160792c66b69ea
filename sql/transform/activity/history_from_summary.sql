-- History when every frozen month precedes the open ones (the normal case): the frozen months come from
-- core.customer_frozen_history instead of a scan of their partitions.
--   core.activity_build_active    active customer-months of the open months;
--   core.activity_build_customer  per customer: first active month and last active month before the first
--                                 open month.
drop table if exists core.activity_build_active;

create unlogged table core.activity_build_active as
select distinct
    s.customer_id_nat,
    s.month_key
from core.activity_build_sparse as s
where
    s.orders_count > 0
    and not exists (
        select 1 from stg.crm_customers as c
        where c.customer_id_nat = s.customer_id_nat and c.customer_flag is not null
    );

create index on core.activity_build_active (customer_id_nat, month_key);

drop table if exists core.activity_build_customer;

create unlogged table core.activity_build_customer as
with frozen as (
    select
        coalesce(m.surviving_customer_id_nat, h.customer_id_nat) as customer_id_nat,
        min(h.first_active_month) as first_month,
        max(h.last_active_month) as last_month
    from core.customer_frozen_history as h
    left join core.customer_merge_map as m on h.customer_id_nat = m.customer_id_nat
    group by coalesce(m.surviving_customer_id_nat, h.customer_id_nat)
),

open_first as (
    select
        customer_id_nat,
        min(month_key) as first_month
    from core.activity_build_active
    group by customer_id_nat
)

select
    coalesce(f.customer_id_nat, o.customer_id_nat) as customer_id_nat,
    least(f.first_month, o.first_month) as first_month,
    f.last_month as last_before_open
from frozen as f
full outer join open_first as o on f.customer_id_nat = o.customer_id_nat
where not exists (
    select 1 from stg.crm_customers as c
    where c.customer_id_nat = coalesce(f.customer_id_nat, o.customer_id_nat) and c.customer_flag is not null
);

analyze core.activity_build_active;
analyze core.activity_build_customer;
