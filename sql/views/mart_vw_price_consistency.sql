-- mart.vw_price_consistency: 1 row = 1 price behaviour flag of POS log products (core.dim_product): how many
-- SKUs behave that way and their share.
create or replace view mart.vw_price_consistency as
select
    price_flag,
    count(*) as skus,
    round(count(*)::numeric / sum(count(*)) over (), 4) as sku_share,
    sum(distinct_prices) as distinct_prices,
    sum(price_changes) as price_changes
from core.dim_product
group by price_flag;
