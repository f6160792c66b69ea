-- One lane's share of a table: the rows of {source} whose text key {key} lies in [%(low)s, %(high)s) (a NULL
-- bound is open), as the temporary view {view} that the lane's statements read (analytics/lanes.py).
create or replace temporary view {view} as
select *
from {source}
where (%(low)s::text is null or {key} >= %(low)s) and (%(high)s::text is null or {key} < %(high)s);
