-- Every foreign key of {activity} resolves: customer_sk in dim_customer, month_key in dim_date, country_sk in
-- dim_country. observed = rows with a dangling key. Outer joins on the dimensions' keys (each matches at most
-- one row) rather than a subquery per row, which would probe dim_customer ten million times on a full build.
select
    a.month_key,
    count(*) filter (
        where c.customer_sk is null or d.date_key is null or (a.country_sk is not null and k.country_sk is null)
    ) as observed,
    0 as expected,
    'activity rows whose customer_sk, month_key or country_sk has no dimension row' as details
from {activity} as a
left join core.dim_customer as c on a.customer_sk = c.customer_sk
left join core.dim_date as d on a.month_key = d.date_key
left join core.dim_country as k on a.country_sk = k.country_sk
where a.month_key = any(%(months)s::date[])
group by a.month_key;
