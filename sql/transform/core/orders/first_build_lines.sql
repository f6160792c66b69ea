-- First build: every staged line of a known order into the empty core.fact_order_line.
insert into core.fact_order_line
select * from tmp_fact_order_line_rows;
