-- Month x region summary (C1/C2) of the stage {stage}: a region counts the customers with a qualified order
-- in its stores; ALL counts each active customer once.
create temporary table tmp_region_summary on commit drop as
select
    s.month_key,
    s.region,
    count(*) as active_customers,
    count(*) filter (where c.first_month = s.month_key) as new_customers,
    count(*) filter (where c.first_month < s.month_key) as repeat_customers,
    sum(s.orders_count) as orders_count,
    sum(s.net_amount_aed) as total_net_amount_aed,
    least((s.month_key + interval '1 month' - interval '1 day')::date, %(as_of)s::date) as as_of_date
from core.activity_build_sparse as s
inner join core.activity_build_customer as c on s.customer_id_nat = c.customer_id_nat
where s.orders_count > 0
group by s.month_key, s.region

union all

select
    month_key,
    'ALL' as region,
    sum(is_active_flag) as active_customers,
    sum(is_new_flag) as new_customers,
    sum(is_repeat_flag) as repeat_customers,
    sum(orders_count_month) as orders_count,
    sum(total_net_amount_aed_month) as total_net_amount_aed,
    max(as_of_date) as as_of_date
from {stage}
group by month_key;
