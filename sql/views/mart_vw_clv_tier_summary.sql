-- mart.vw_clv_tier_summary: 1 row = 1 value tier of the newest snapshot in mart.vw_clv_tier_summary_history
-- (its columns; the newest published one once the marts are refreshed).
create or replace view mart.vw_clv_tier_summary as
select h.*
from mart.vw_clv_tier_summary_history as h
where h.snapshot_date = (select max(m.snapshot_date) from mart.vw_clv_tier_summary_history as m);
