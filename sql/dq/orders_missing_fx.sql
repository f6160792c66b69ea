-- Qualified orders that could not be converted to AED (no rate for their currency and local date).
select
    month_key,
    count(*) as observed,
    0 as expected,
    'qualified orders without an FX rate: ' || string_agg(distinct currency_code || ' ' || local_date::text, ', ')
        as details
from core.fact_order
where month_key = any(%(months)s::date[]) and (is_qualified or is_qualified_return) and net_amount_aed is null
group by month_key;
