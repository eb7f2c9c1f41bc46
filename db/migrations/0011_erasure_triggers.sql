-- The trail, the audit trail and the access log stay append-only, with one exception the database
-- itself enforces: when a case's content is destroyed (retention after 20 years, R14, or an erasure
-- the law requires earlier), and only then, its trail payloads may be reduced and its access log
-- lines removed. Every hashed field of an audit entry stays as it was, so both chains still verify.
DROP TRIGGER `case_events_no_update`;
--> statement-breakpoint
CREATE TRIGGER `case_events_no_update` BEFORE UPDATE ON `case_events`
WHEN NOT (
  NEW.seq IS OLD.seq AND NEW.case_id IS OLD.case_id AND NEW.version IS OLD.version AND NEW.type IS OLD.type
  AND NEW.at IS OLD.at AND NEW.actor_role IS OLD.actor_role AND NEW.actor_organisation IS OLD.actor_organisation
  AND NEW.actor_name IS OLD.actor_name AND NEW.actor_client_id IS OLD.actor_client_id AND NEW.state IS OLD.state
  AND EXISTS (SELECT 1 FROM cases c WHERE c.id = OLD.case_id AND c.erased_at IS NOT NULL)
)
BEGIN
  SELECT RAISE(ABORT, 'case_events is append-only');
END;
--> statement-breakpoint
DROP TRIGGER `audit_log_no_update`;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
WHEN NOT (
  OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
  AND NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.action IS OLD.action AND NEW.case_id IS OLD.case_id
  AND NEW.case_seq IS OLD.case_seq AND NEW.actor_role IS OLD.actor_role
  AND NEW.actor_organisation IS OLD.actor_organisation AND NEW.actor_name IS OLD.actor_name
  AND NEW.actor_client_id IS OLD.actor_client_id AND NEW.on_behalf_of IS OLD.on_behalf_of
  AND NEW.event_type IS OLD.event_type AND NEW.from_state IS OLD.from_state AND NEW.to_state IS OLD.to_state
  AND NEW.machine_version IS OLD.machine_version AND NEW.payload_hash IS OLD.payload_hash
  AND NEW.prev_case_hash IS OLD.prev_case_hash AND NEW.case_hash IS OLD.case_hash
  AND NEW.prev_log_hash IS OLD.prev_log_hash AND NEW.log_hash IS OLD.log_hash
  AND (OLD.payload_hash IS NOT NULL OR NEW.entry_hash IS NOT NULL)
  AND EXISTS (SELECT 1 FROM cases c WHERE c.id = OLD.case_id AND c.erased_at IS NOT NULL)
)
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
DROP TRIGGER `access_log_no_delete`;
--> statement-breakpoint
CREATE TRIGGER `access_log_no_delete` BEFORE DELETE ON `access_log`
WHEN NOT (
  json_array_length(OLD.case_ids) > 0
  AND NOT EXISTS (SELECT 1 FROM json_each(OLD.case_ids) j
    WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = j.value AND c.erased_at IS NOT NULL))
)
BEGIN
  SELECT RAISE(ABORT, 'access_log is append-only');
END;
--> statement-breakpoint
DROP TRIGGER `access_log_no_update`;
--> statement-breakpoint
CREATE TRIGGER `access_log_no_update` BEFORE UPDATE ON `access_log`
WHEN NOT (
  NEW.seq IS OLD.seq AND NEW.at IS OLD.at AND NEW.request_id IS OLD.request_id AND NEW.action IS OLD.action
  AND NEW.route IS OLD.route AND NEW.actor_role IS OLD.actor_role AND NEW.actor_organisation IS OLD.actor_organisation
  AND NEW.actor_name IS OLD.actor_name AND NEW.actor_client_id IS OLD.actor_client_id
  AND NEW.actor_region IS OLD.actor_region AND NEW.purpose IS OLD.purpose AND NEW.outcome IS OLD.outcome
  AND NOT EXISTS (SELECT 1 FROM json_each(NEW.case_ids) n
    WHERE n.value NOT IN (SELECT value FROM json_each(OLD.case_ids)))
  AND NOT EXISTS (SELECT 1 FROM json_each(OLD.case_ids) o
    WHERE o.value NOT IN (SELECT value FROM json_each(NEW.case_ids))
      AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = o.value AND c.erased_at IS NOT NULL))
)
BEGIN
  SELECT RAISE(ABORT, 'access_log is append-only');
END;
