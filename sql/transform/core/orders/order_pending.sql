-- Orders of {orders} whose store is not known yet wait in core.order_pending (reported by DQ) until it arrives.
delete from core.order_pending as p
using {orders} as o
where p.order_id = o.order_id;

insert into core.order_pending (order_id, store_id, reason, since_load_id)
select
    o.order_id,
    o.store_id,
    'store_id not in pos_stores' as reason,
    o.load_id as since_load_id
from {orders} as o
where not exists (
    select 1 from core.dim_store as s
    where s.store_id = o.store_id
);
