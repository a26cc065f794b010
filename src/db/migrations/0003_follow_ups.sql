-- Homes for two fields seed 001 (visit records) shows that 0002 left out:
--   follow_up.note    the follow-up's remark (`event_note`, 跟进备注), apart from its content (`gain`);
--   visit_report.kind the report's kind (`type`, e.g. 1 for a daily report), an integer the client defines.
ALTER TABLE follow_up ADD COLUMN note text;
ALTER TABLE visit_report ADD COLUMN kind integer NOT NULL DEFAULT 1;
