-- mart.vw_rfm_segment_summary: 1 row = 1 RFM segment of the newest snapshot in
-- mart.vw_rfm_segment_summary_history (its columns; the newest published one once the marts are refreshed).
create or replace view mart.vw_rfm_segment_summary as
select h.*
from mart.vw_rfm_segment_summary_history as h
where h.snapshot_date = (select max(m.snapshot_date) from mart.vw_rfm_segment_summary_history as m);
