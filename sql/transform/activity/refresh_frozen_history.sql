-- core.customer_frozen_history from the frozen months as they now stand (run in the freeze's transaction).
delete from core.customer_frozen_history;

insert into core.customer_frozen_history (customer_id_nat, first_active_month, last_active_month)
select
    customer_id_nat,
    min(month_key) as first_active_month,
    max(month_key) as last_active_month
from core.fact_customer_monthly_activity
where is_active_flag = 1 and month_key in (select f.month_key from audit.month_freeze as f)
group by customer_id_nat;
