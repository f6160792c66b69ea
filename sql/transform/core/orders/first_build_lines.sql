-- First build: the staged lines of one lane's orders into the empty core.fact_order_line.
insert into core.fact_order_line
select * from tmp_fact_order_line_rows;
