-- Inputs of a build of the open months %(open_months)s through %(as_of)s:
--   tmp_open_sparse   qualified orders and returns per surviving customer x month x store region (open months);
--   tmp_activity      every active customer-month: frozen months as frozen, open months from fact_order;
--   tmp_customer      per customer: first active month and last active month before the first open month.
create temporary table tmp_open_sparse on commit drop as
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
    f.month_key = any(%(open_months)s::date [])
    and f.local_date <= %(as_of)s
    and (f.is_qualified or f.is_qualified_return)
group by 1, 2, 3;

create temporary table tmp_activity on commit drop as
with frozen_active as (
    select
        coalesce(m.surviving_customer_id_nat, a.customer_id_nat) as customer_id_nat,
        a.month_key
    from core.fact_customer_monthly_activity as a
    left join core.customer_merge_map as m on a.customer_id_nat = m.customer_id_nat
    where
        a.is_active_flag = 1
        and a.month_key in (select month_key from audit.month_freeze)
        and a.month_key <> all(%(open_months)s::date [])
),

open_active as (
    select distinct customer_id_nat, month_key
    from tmp_open_sparse
    where orders_count > 0
),

unioned as (
    select customer_id_nat, month_key from frozen_active
    union
    select customer_id_nat, month_key from open_active
)

select u.customer_id_nat, u.month_key
from unioned as u
where not exists (
    select 1 from stg.crm_customers as c
    where c.customer_id_nat = u.customer_id_nat and c.customer_flag is not null
);

create index on tmp_activity (customer_id_nat, month_key);

create temporary table tmp_customer on commit drop as
select
    customer_id_nat,
    min(month_key) as first_month,
    max(month_key) filter (where month_key < %(first_open_month)s) as last_before_open
from tmp_activity
group by customer_id_nat;

analyze tmp_open_sparse;
analyze tmp_activity;
analyze tmp_customer;
