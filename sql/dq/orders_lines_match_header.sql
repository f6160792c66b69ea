-- Qualified orders whose lines do not add up to the order's net amount (or that have no lines).
with line_totals as (
    select o.order_id, o.month_key, o.net_amount_native, sum(l.net_amount_native) as lines_native
    from core.fact_order as o
    left join core.fact_order_line as l on o.order_id = l.order_id
    where o.month_key = any(%(months)s::date []) and o.is_qualified
    group by o.order_id, o.month_key, o.net_amount_native
)

select
    month_key,
    count(*) filter (where lines_native is distinct from net_amount_native) as observed,
    0 as expected,
    'qualified orders whose lines do not sum to the order net amount' as details
from line_totals
group by month_key;
