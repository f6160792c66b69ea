-- Active rows in {activity} = distinct surviving customers with a qualified order in the month (through as_of).
with fact as (
    select month_key, sum(is_active_flag) as active_rows
    from {activity}
    where month_key = any(%(months)s::date [])
    group by month_key
),

customer_months as (
    -- distinct first, then count: the distinct step can run on parallel workers, count(distinct) cannot
    select distinct month_key, surviving_customer_id_nat
    from core.fact_order
    where month_key = any(%(months)s::date []) and local_date <= %(as_of)s and is_qualified
),

orders as (
    select month_key, count(*) as customers
    from customer_months
    group by month_key
)

select
    coalesce(fact.month_key, orders.month_key) as month_key,
    coalesce(fact.active_rows, 0) as observed,
    coalesce(orders.customers, 0) as expected,
    'active customers in the fact vs distinct customers with qualified orders' as details
from fact
full outer join orders on fact.month_key = orders.month_key;
