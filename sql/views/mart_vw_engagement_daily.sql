-- mart.vw_engagement_daily: 1 row = 1 day. Daily active customers (DAU: distinct customers with a
-- qualified order that store-local day), 30-day active customers (MAU: distinct customers with a qualified
-- order in the 30 days ending that day) and stickiness DAU / MAU, for OMS and POS-log orders alike.
-- MAU counts each customer once however many days they bought: the sum of 30 daily counts (shown as
-- naive_rolling_dau_sum_30d for comparison) counts a customer once per active day and overstates it.
-- Set-based: each customer's active days become islands of coverage [first day, last day + 29] (days less
-- than 30 apart share an island), and MAU on a day is the number of islands covering it.
create materialized view mart.vw_engagement_daily as
with active_days as (
    select distinct
        f.surviving_customer_id_nat as customer_id_nat,
        f.local_date
    from core.fact_order as f
    where f.is_qualified
),

gaps as (
    select
        customer_id_nat,
        local_date,
        case
            when local_date - lag(local_date) over by_day < 30 then 0 else 1
        end as starts_island
    from active_days
    window by_day as (partition by customer_id_nat order by local_date)
),

islands as (
    select
        customer_id_nat,
        local_date,
        sum(starts_island) over (partition by customer_id_nat order by local_date) as island_no
    from gaps
),

coverage as (
    select
        min(local_date) as covered_from,
        max(local_date) + 30 as covered_until_excl
    from islands
    group by customer_id_nat, island_no
),

changes as (
    select
        covered_from as change_date,
        1 as delta
    from coverage
    union all
    select
        covered_until_excl as change_date,
        -1 as delta
    from coverage
),

calendar as (
    select g.day::date as activity_date
    from generate_series(
        (select min(local_date) from active_days), (select max(local_date) from active_days), interval '1 day'
    ) as g (day)
),

dau as (
    select
        local_date as activity_date,
        count(*) as daily_active_customers
    from active_days
    group by local_date
),

mau_steps as (
    select
        change_date,
        sum(delta) as delta
    from changes
    group by change_date
),

final as (
    select
        c.activity_date,
        coalesce(dau.daily_active_customers, 0) as daily_active_customers,
        sum(coalesce(m.delta, 0)) over by_day as monthly_active_customers_30d,
        sum(coalesce(dau.daily_active_customers, 0)) over last_30_days as naive_rolling_dau_sum_30d
    from calendar as c
    left join dau on c.activity_date = dau.activity_date
    left join mau_steps as m on c.activity_date = m.change_date
    window
        by_day as (order by c.activity_date),
        last_30_days as (order by c.activity_date rows between 29 preceding and current row)
)

select
    activity_date,
    daily_active_customers,
    monthly_active_customers_30d,
    round(daily_active_customers::numeric / nullif(monthly_active_customers_30d, 0), 4) as stickiness,
    naive_rolling_dau_sum_30d
from final;

create unique index vw_engagement_daily_date_uq on mart.vw_engagement_daily (activity_date);
