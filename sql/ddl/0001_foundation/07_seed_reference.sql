-- Reference rows the pipeline relies on: calendar, countries, channels and the UNKNOWN customer.
insert into core.dim_date
select
    d::date as date_key,
    extract(year from d)::smallint as year,
    extract(quarter from d)::smallint as quarter,
    extract(month from d)::smallint as month,
    date_trunc('month', d)::date as month_key,
    to_char(d, 'YYYY-MM') as month_label,
    trim(to_char(d, 'Month')) as month_name,
    extract(day from d)::smallint as day_of_month,
    extract(isodow from d)::smallint as day_of_week,
    trim(to_char(d, 'Day')) as day_name,
    extract(isodow from d) in (5, 6) as is_weekend,
    (d + interval '1 day')::date = (date_trunc('month', d) + interval '1 month')::date as is_month_end
from generate_series(date '2000-01-01', date '2045-12-31', interval '1 day') as g (d);

insert into core.dim_country (country_sk, country_code, country_name, region, currency_code, timezone) values
(0, '??', 'Unknown', 'UNKNOWN', null, 'Asia/Riyadh'),
(1, 'AE', 'United Arab Emirates', 'UAE', 'AED', 'Asia/Dubai'),
(2, 'SA', 'Saudi Arabia', 'KSA', 'SAR', 'Asia/Riyadh');

insert into core.dim_channel (channel_sk, channel_code, channel_name, is_online) values
(1, 'POS', 'Store point of sale', false),
(2, 'WEB', 'Web shop', true),
(3, 'MARKETPLACE', 'Marketplace', true);

insert into core.dim_customer (
    customer_sk, customer_id_nat, valid_from, valid_to, is_current, full_name, loyalty_tier, region,
    is_vip_flag, surviving_customer_id_nat, is_inferred
) values
(0, 'UNKNOWN', '-infinity', 'infinity', true, 'Unknown (guest)', null, null, 0, 'UNKNOWN', false);

insert into core.build_state (state_name, state_value) values ('stg_load_watermark', 0), ('core_load_watermark', 0);
