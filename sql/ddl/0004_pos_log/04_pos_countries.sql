-- The countries of POS logs join core.dim_country (their own region: a POS log's "region" is its country),
-- so that pseudo-stores, customers and the activity mart can name them.
insert into core.dim_country (country_sk, country_code, country_name, region, currency_code, timezone)
select
    (100 + row_number() over (order by m.iso_code))::smallint as country_sk,
    m.iso_code as country_code,
    min(m.country_name) as country_name,
    min(m.country_name) as region,
    null as currency_code,
    'UTC' as timezone
from core.ref_pos_country_map as m
where m.iso_code is not null and m.iso_code not in (select c.country_code from core.dim_country as c)
group by m.iso_code;
