-- Sum of the fact's AED = sum of the AED of the lines of qualified orders, per month (the lines carry their
-- order's qualification, month and local date).
with fact as (
    select
        month_key,
        sum(total_net_amount_aed_month) as aed
    from {activity}
    where month_key = any(%(months)s::date[])
    group by month_key
),

lines as (
    select
        month_key,
        sum(net_amount_aed) as aed
    from core.fact_order_line
    where month_key = any(%(months)s::date[]) and local_date <= %(as_of)s and is_qualified
    group by month_key
)

select
    coalesce(fact.month_key, lines.month_key) as month_key,
    coalesce(fact.aed, 0) as observed,
    coalesce(lines.aed, 0) as expected,
    'AED in the fact vs AED of qualified order lines' as details
from fact
full outer join lines on fact.month_key = lines.month_key;
