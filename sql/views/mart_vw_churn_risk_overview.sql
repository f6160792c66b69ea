-- mart.vw_churn_risk_overview: 1 row = 1 churn risk category of the newest snapshot in
-- mart.vw_churn_risk_overview_history (its columns; the newest published one once the marts are refreshed).
create or replace view mart.vw_churn_risk_overview as
select h.*
from mart.vw_churn_risk_overview_history as h
where h.snapshot_date = (select max(m.snapshot_date) from mart.vw_churn_risk_overview_history as m);
