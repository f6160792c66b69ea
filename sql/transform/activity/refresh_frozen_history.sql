-- core.customer_frozen_history from the frozen months as they now stand (run in the freeze's transaction).
delete from core.customer_frozen_history;

insert into core.customer_frozen_history (customer_id_nat, first_active_month, last_active_month)
select customer_id_nat, min(month_key), max(month_key)
from core.fact_customer_monthly_activity
where is_active_flag = 1 and month_key in (select month_key from audit.month_freeze)
group by customer_id_nat;
