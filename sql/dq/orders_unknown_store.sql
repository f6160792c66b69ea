-- Orders waiting in core.order_pending because their store is not in pos_stores.
select
    null::date as month_key,
    count(*) as observed,
    0 as expected,
    'orders whose store_id is not in pos_stores: ' || coalesce(string_agg(distinct store_id, ', '), '') as details
from core.order_pending;
