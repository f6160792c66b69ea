-- One lane of an activity build: the build's customers, active customer-months, sparse measures and customer
-- versions whose customer_id_nat lies in [%(low)s, %(high)s) (a NULL bound is open), as temporary views named
-- tmp_lane_<what> for 02_build_stage.sql.
create or replace temporary view tmp_lane_customer as
select *
from core.activity_build_customer
where
    (%(low)s::text is null or customer_id_nat >= %(low)s)
    and (%(high)s::text is null or customer_id_nat < %(high)s);

create or replace temporary view tmp_lane_active as
select *
from core.activity_build_active
where
    (%(low)s::text is null or customer_id_nat >= %(low)s)
    and (%(high)s::text is null or customer_id_nat < %(high)s);

create or replace temporary view tmp_lane_sparse as
select *
from core.activity_build_sparse
where
    (%(low)s::text is null or customer_id_nat >= %(low)s)
    and (%(high)s::text is null or customer_id_nat < %(high)s);

create or replace temporary view tmp_lane_dim_customer as
select *
from core.dim_customer
where
    (%(low)s::text is null or customer_id_nat >= %(low)s)
    and (%(high)s::text is null or customer_id_nat < %(high)s);
