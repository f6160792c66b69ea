-- core.customer_frozen_history: 1 row = 1 customer id as recorded in the frozen months, with its first and
-- last active frozen month. Refreshed at every freeze, it spares daily builds a scan of all frozen months.
create table core.customer_frozen_history (
    customer_id_nat text primary key,
    first_active_month date not null,
    last_active_month date not null
);

insert into core.customer_frozen_history (customer_id_nat, first_active_month, last_active_month)
select
    customer_id_nat,
    min(month_key) as first_active_month,
    max(month_key) as last_active_month
from core.fact_customer_monthly_activity
where is_active_flag = 1 and month_key in (select f.month_key from audit.month_freeze as f)
group by customer_id_nat;
