-- core.deferred_index: definitions of the keys and indexes a bulk build dropped from a table and has not yet
-- rebuilt. A build that fills a table from several connections drops them in one transaction and rebuilds them
-- in a later one; the definitions are kept here in between, so a build that dies half way loses none of them
-- (the next build restores them).
create table core.deferred_index (
    table_name text not null,
    index_name text not null,
    is_constraint boolean not null,
    definition text not null,
    deferred_at timestamptz not null default now(),
    primary key (table_name, index_name)
);
