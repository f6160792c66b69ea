-- Flag arithmetic: active = new + repeat, new and repeat only when active, inactive rows carry no orders or
-- amounts. observed = rows breaking a rule.
select
    month_key,
    count(*) filter (
        where is_active_flag <> is_new_flag + is_repeat_flag
        or (is_active_flag = 0 and (orders_count_month <> 0 or total_net_amount_aed_month <> 0))
        or (is_active_flag = 1 and orders_count_month = 0)
    ) as observed,
    0 as expected,
    'rows breaking active = new + repeat or carrying amounts while inactive' as details
from {activity}
where month_key = any(%(months)s::date[])
group by month_key;
