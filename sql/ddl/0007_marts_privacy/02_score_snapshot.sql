-- core.score_snapshot: 1 row = 1 published score snapshot (the RFM, lifetime-value and churn partitions of one
-- date, swapped in together). Written in the publish transaction and removed with the partitions by
-- retention, so max(snapshot_date) is "the newest published snapshot" every mart view reads: a late or
-- failed run leaves the previous one in place, and a publish in flight is invisible until it commits.
create table core.score_snapshot (
    snapshot_date date primary key,
    customers integer not null,
    published_at timestamptz not null default now()
);

insert into core.score_snapshot (snapshot_date, customers)
select
    snapshot_date,
    count(*) as customers
from core.fact_customer_rfm
group by snapshot_date;

-- What the row-level mart views read from the newest partition: the top customers by predicted lifetime
-- value, and the High/Critical customers in intervention order. Partitioned indexes: the scorers build them
-- on each stage table before publish, so the partition swap finds them ready.
create index fact_customer_ltv_top_clv_idx
on core.fact_customer_ltv (snapshot_date, predicted_clv_lifetime_aed desc nulls last, customer_id_nat);

create index fact_customer_churn_risk_at_risk_idx
on core.fact_customer_churn_risk (snapshot_date, intervention_priority, churn_risk_score desc, customer_id_nat)
where churn_risk_category in ('High', 'Critical');
