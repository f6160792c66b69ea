-- core.dim_store (type 1) from stores changed after the core watermark; tmp_changed_store lists them so
-- that their orders are re-derived (a store's time zone decides its orders' local month).
create temporary table tmp_changed_store on commit drop as
select store_id
from stg.pos_stores
where changed_load_id > %(watermark)s;

insert into core.dim_store as d (store_sk, store_id, store_name, country_sk, region, timezone, channel_sk)
select
    core.hash64(s.store_id) as store_sk,
    s.store_id,
    s.store_name,
    coalesce(c.country_sk, 0) as country_sk,
    s.region,
    s.timezone,
    ch.channel_sk
from stg.pos_stores as s
inner join tmp_changed_store as t on s.store_id = t.store_id
left join core.dim_country as c on s.country_code = c.country_code
inner join core.dim_channel as ch on s.channel = ch.channel_code
on conflict (store_id) do update set
    store_name = excluded.store_name,
    country_sk = excluded.country_sk,
    region = excluded.region,
    timezone = excluded.timezone,
    channel_sk = excluded.channel_sk;
