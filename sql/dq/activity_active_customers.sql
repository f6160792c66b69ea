-- Active rows in {activity} = distinct surviving customers with a qualified order in the month (through as_of).
with fact as (
    select month_key, sum(is_active_flag) as active_rows
    from {activity}
    where month_key = any(%(months)s::date [])
    group by month_key
),

orders as (
    select month_key, count(distinct surviving_customer_id_nat) as customers
    from core.fact_order
    where month_key = any(%(months)s::date []) and local_date <= %(as_of)s and is_qualified
    group by month_key
)

select
    coalesce(fact.month_key, orders.month_key) as month_key,
    coalesce(fact.active_rows, 0) as observed,
    coalesce(orders.customers, 0) as expected,
    'active customers in the fact vs distinct customers with qualified orders' as details
from fact
full outer join orders on fact.month_key = orders.month_key;
