-- Where to cut the customers of an activity build into %(lanes)s lanes of about equal work: each lane's
-- first customer_id_nat, after the first lane's (which starts open). A customer's work is its dense rows, one
-- per month from its first active month (or the first open month, if later) through the as-of month; older
-- customers carry more of them, so ranges of equal customer counts would leave the lanes unequal. Cuts from
-- a sample of %(sample_percent)s %% of the table's pages (about 100,000 customers) are as good as from all.
with work as (
    select
        customer_id_nat,
        (
            extract(year from age(%(as_of_month)s::date, greatest(first_month, %(first_open_month)s::date))) * 12
            + extract(month from age(%(as_of_month)s::date, greatest(first_month, %(first_open_month)s::date)))
            + 1
        ) as dense_rows
    from core.activity_build_customer tablesample system (%(sample_percent)s) repeatable (0)
),

running as (
    select
        customer_id_nat,
        sum(dense_rows) over (order by customer_id_nat) - dense_rows as rows_before,
        sum(dense_rows) over () as total_rows
    from work
)

select min(customer_id_nat) as first_of_lane
from running
group by floor(rows_before * %(lanes)s / total_rows)
having floor(rows_before * %(lanes)s / total_rows) > 0
order by first_of_lane
