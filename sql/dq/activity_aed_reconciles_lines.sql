-- Sum of the fact's AED = sum of the AED of the lines of qualified orders, per month.
with fact as (
    select month_key, sum(total_net_amount_aed_month) as aed
    from {activity}
    where month_key = any(%(months)s::date [])
    group by month_key
),

lines as (
    select o.month_key, sum(l.net_amount_aed) as aed
    from core.fact_order as o
    inner join core.fact_order_line as l on o.order_id = l.order_id
    where o.month_key = any(%(months)s::date []) and o.local_date <= %(as_of)s and o.is_qualified
    group by o.month_key
)

select
    coalesce(fact.month_key, lines.month_key) as month_key,
    coalesce(fact.aed, 0) as observed,
    coalesce(lines.aed, 0) as expected,
    'AED in the fact vs AED of qualified order lines' as details
from fact
full outer join lines on fact.month_key = lines.month_key;
