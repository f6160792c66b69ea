-- stg.pos_stores and stg.fx_rates from loads (from_load, to_load]: the latest delivery wins.
insert into stg.pos_stores as s (
    store_id, store_name, country_code, region, timezone, channel, load_id, changed_load_id
)
select distinct on (r.store_id)
    r.store_id,
    r.store_name,
    r.country_code,
    r.region,
    r.timezone,
    r.channel,
    r.load_id,
    r.load_id as changed_load_id
from raw.pos_stores as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.store_id asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc
on conflict (store_id) do update set
    store_name = excluded.store_name,
    country_code = excluded.country_code,
    region = excluded.region,
    timezone = excluded.timezone,
    channel = excluded.channel,
    load_id = excluded.load_id,
    changed_load_id = excluded.changed_load_id
where
excluded.load_id > s.load_id
and (excluded.store_name, excluded.country_code, excluded.region, excluded.timezone, excluded.channel)
is distinct from (s.store_name, s.country_code, s.region, s.timezone, s.channel);

insert into stg.fx_rates as s (rate_date, currency_code, rate_to_aed, load_id, changed_load_id)
select distinct on (r.rate_date, r.currency_code)
    r.rate_date,
    r.currency_code,
    r.rate_to_aed,
    r.load_id,
    r.load_id as changed_load_id
from raw.fx_rates as r
inner join audit.file_load as fl on r.load_id = fl.load_id
where r.load_id > %(from_load)s and r.load_id <= %(to_load)s
order by r.rate_date asc, r.currency_code asc, fl.ingestion_date desc, r.load_id desc, r.source_line desc
on conflict (rate_date, currency_code) do update set
    rate_to_aed = excluded.rate_to_aed,
    load_id = excluded.load_id,
    changed_load_id = excluded.changed_load_id
where excluded.load_id > s.load_id and excluded.rate_to_aed <> s.rate_to_aed;
