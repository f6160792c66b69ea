-- Qualified orders whose lines do not add up to the order's net amount, or that have no lines. The line build
-- records a rounding adjustment on the first line of every order whose lines add up in native currency, so the
-- count is (qualified orders) - (first lines carrying an adjustment), without joining orders to lines. Orders
-- without an FX rate have no AED to adjust and are left to orders_missing_fx.
with orders as (
    select
        month_key,
        count(*) as qualified_orders
    from core.fact_order
    where month_key = any(%(months)s::date[]) and is_qualified and net_amount_aed is not null
    group by month_key
),

balanced as (
    select
        month_key,
        count(*) as balanced_orders
    from core.fact_order_line
    where month_key = any(%(months)s::date[]) and is_qualified and aed_rounding_adjustment is not null
    group by month_key
)

select
    o.month_key,
    o.qualified_orders - coalesce(b.balanced_orders, 0) as observed,
    0 as expected,
    'qualified orders whose lines do not sum to the order net amount' as details
from orders as o
left join balanced as b on o.month_key = b.month_key;
