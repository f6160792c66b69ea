-- History when a frozen month lies inside the open range (a restatement of an older month):
--   core.activity_build_active    every active customer-month: frozen months as frozen, open months from
--                                 core.activity_build_sparse;
--   core.activity_build_customer  per customer: first active month and last active month before the first
--                                 open month.
drop table if exists core.activity_build_active;

create unlogged table core.activity_build_active as
with frozen_active as (
    select
        coalesce(m.surviving_customer_id_nat, a.customer_id_nat) as customer_id_nat,
        a.month_key
    from core.fact_customer_monthly_activity as a
    left join core.customer_merge_map as m on a.customer_id_nat = m.customer_id_nat
    where
        a.is_active_flag = 1
        and a.month_key in (select f.month_key from audit.month_freeze as f)
        and a.month_key <> all(%(open_months)s::date[])
),

open_active as (
    select distinct
        customer_id_nat,
        month_key
    from core.activity_build_sparse
    where orders_count > 0
),

unioned as (
    select
        customer_id_nat,
        month_key
    from frozen_active
    union
    select
        customer_id_nat,
        month_key
    from open_active
)

select
    u.customer_id_nat,
    u.month_key
from unioned as u
where not exists (
    select 1 from stg.crm_customers as c
    where c.customer_id_nat = u.customer_id_nat and c.customer_flag is not null
);

create index on core.activity_build_active (customer_id_nat, month_key);

drop table if exists core.activity_build_customer;

create unlogged table core.activity_build_customer as
select
    customer_id_nat,
    min(month_key) as first_month,
    max(month_key) filter (where month_key < %(first_open_month)s) as last_before_open
from core.activity_build_active
group by customer_id_nat;

analyze core.activity_build_active;
analyze core.activity_build_customer;
