-- Removes everything revision 0001 created (the whole warehouse), for `analytics db downgrade base`.
drop schema if exists mart cascade;
drop schema if exists core cascade;
drop schema if exists stg cascade;
drop schema if exists raw cascade;
drop schema if exists audit cascade;
