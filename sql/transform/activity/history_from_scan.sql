-- History when a frozen month lies inside the open range (a restatement of an older month):
--   tmp_activity  every active customer-month: frozen months as frozen, open months from tmp_open_sparse;
--   tmp_customer  per customer: first active month and last active month before the first open month.
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

analyze tmp_activity;
analyze tmp_customer;
