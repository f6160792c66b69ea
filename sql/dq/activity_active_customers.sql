-- Active rows in {activity} = distinct surviving customers with a qualified order in the month (through as_of).
-- The expected side counts the build's core.activity_build_sparse, the plain per customer x month x region
-- grouping of the qualified orders in core.fact_order, rather than grouping 12M orders a second time; the
-- observed side is what the dense build made of it (grid, history, flags).
with fact as (
    select
        month_key,
        sum(is_active_flag) as active_rows
    from {activity}
    where month_key = any(%(months)s::date[])
    group by month_key
),

customer_months as (
    select distinct
        month_key,
        customer_id_nat
    from core.activity_build_sparse
    where month_key = any(%(months)s::date[]) and orders_count > 0
),

orders as (
    select
        month_key,
        count(*) as customers
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
