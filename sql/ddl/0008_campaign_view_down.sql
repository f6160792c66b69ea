-- Removes what revision 0008 added.
drop view if exists mart.vw_campaign_performance;
