-- First build: the staged orders of one lane into the empty core.fact_order (nothing is frozen yet).
insert into core.fact_order
select * from tmp_fact_order_rows;
