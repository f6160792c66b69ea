-- Schema outreach: the contact lists CRM acts on (real names, e-mails, phones), readable by crm_outreach only.
create schema if not exists outreach;
