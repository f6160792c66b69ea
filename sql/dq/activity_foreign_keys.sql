-- Every foreign key of {activity} resolves: customer_sk in dim_customer, month_key in dim_date, country_sk in
-- dim_country. observed = rows with a dangling key.
select
    a.month_key,
    count(*) filter (
        where not exists (select 1 from core.dim_customer as c where c.customer_sk = a.customer_sk)
        or not exists (select 1 from core.dim_date as d where d.date_key = a.month_key)
        or (a.country_sk is not null and not exists (
            select 1 from core.dim_country as k where k.country_sk = a.country_sk
        ))
    ) as observed,
    0 as expected,
    'activity rows whose customer_sk, month_key or country_sk has no dimension row' as details
from {activity} as a
where a.month_key = any(%(months)s::date [])
group by a.month_key;
