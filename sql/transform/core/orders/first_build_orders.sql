-- First build: every staged order into the empty core.fact_order (no late arrivals: nothing is frozen yet).
insert into core.fact_order
select * from tmp_fact_order_rows;
