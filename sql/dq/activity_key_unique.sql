-- Natural key (customer_id_nat, month_key) is unique in {activity}: observed = duplicated keys, expected 0.
select
    month_key,
    count(*) - count(distinct customer_id_nat) as observed,
    0 as expected,
    'rows sharing a (customer_id_nat, month_key)' as details
from {activity}
where month_key = any(%(months)s::date[])
group by month_key;
