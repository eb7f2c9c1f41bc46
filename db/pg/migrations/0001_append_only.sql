-- The trail, the audit trail and the access log are append-only, enforced by the database itself,
-- with the one exception the SQLite store has (db/migrations/0011_erasure_triggers.sql): when a
-- case's content is destroyed (retention, or an erasure the law requires), and only then, its trail
-- payloads may be reduced and its access log lines removed or narrowed. Every hashed field of an
-- audit entry stays as it was, so both chains still verify. Rows are never deleted from the trail
-- or the audit trail.
CREATE FUNCTION passend_case_erased(case_id text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id AND c.erased_at IS NOT NULL)
$$;
--> statement-breakpoint
CREATE FUNCTION passend_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE FUNCTION passend_case_events_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NOT DISTINCT FROM OLD.seq AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
    AND NEW.version IS NOT DISTINCT FROM OLD.version AND NEW.type IS NOT DISTINCT FROM OLD.type
    AND NEW.at IS NOT DISTINCT FROM OLD.at AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
    AND NEW.actor_organisation IS NOT DISTINCT FROM OLD.actor_organisation
    AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
    AND NEW.actor_client_id IS NOT DISTINCT FROM OLD.actor_client_id AND NEW.state IS NOT DISTINCT FROM OLD.state
    AND passend_case_erased(OLD.case_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_events is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE FUNCTION passend_audit_log_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
    AND NEW.seq IS NOT DISTINCT FROM OLD.seq AND NEW.at IS NOT DISTINCT FROM OLD.at
    AND NEW.action IS NOT DISTINCT FROM OLD.action AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
    AND NEW.case_seq IS NOT DISTINCT FROM OLD.case_seq AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
    AND NEW.actor_organisation IS NOT DISTINCT FROM OLD.actor_organisation
    AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
    AND NEW.actor_client_id IS NOT DISTINCT FROM OLD.actor_client_id
    AND NEW.on_behalf_of IS NOT DISTINCT FROM OLD.on_behalf_of
    AND NEW.event_type IS NOT DISTINCT FROM OLD.event_type AND NEW.from_state IS NOT DISTINCT FROM OLD.from_state
    AND NEW.to_state IS NOT DISTINCT FROM OLD.to_state
    AND NEW.machine_version IS NOT DISTINCT FROM OLD.machine_version
    AND NEW.payload_hash IS NOT DISTINCT FROM OLD.payload_hash
    AND NEW.prev_case_hash IS NOT DISTINCT FROM OLD.prev_case_hash
    AND NEW.case_hash IS NOT DISTINCT FROM OLD.case_hash
    AND NEW.prev_log_hash IS NOT DISTINCT FROM OLD.prev_log_hash
    AND NEW.log_hash IS NOT DISTINCT FROM OLD.log_hash
    AND (OLD.payload_hash IS NOT NULL OR NEW.entry_hash IS NOT NULL)
    AND passend_case_erased(OLD.case_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE FUNCTION passend_access_log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF jsonb_array_length(OLD.case_ids::jsonb) > 0
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(OLD.case_ids::jsonb) j(id)
      WHERE NOT passend_case_erased(j.id)) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE FUNCTION passend_access_log_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NOT DISTINCT FROM OLD.seq AND NEW.at IS NOT DISTINCT FROM OLD.at
    AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id AND NEW.action IS NOT DISTINCT FROM OLD.action
    AND NEW.route IS NOT DISTINCT FROM OLD.route AND NEW.actor_role IS NOT DISTINCT FROM OLD.actor_role
    AND NEW.actor_organisation IS NOT DISTINCT FROM OLD.actor_organisation
    AND NEW.actor_name IS NOT DISTINCT FROM OLD.actor_name
    AND NEW.actor_client_id IS NOT DISTINCT FROM OLD.actor_client_id
    AND NEW.actor_region IS NOT DISTINCT FROM OLD.actor_region AND NEW.purpose IS NOT DISTINCT FROM OLD.purpose
    AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(NEW.case_ids::jsonb) n(id)
      WHERE n.id NOT IN (SELECT o.id FROM jsonb_array_elements_text(OLD.case_ids::jsonb) o(id)))
    AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(OLD.case_ids::jsonb) o(id)
      WHERE o.id NOT IN (SELECT n.id FROM jsonb_array_elements_text(NEW.case_ids::jsonb) n(id))
        AND NOT passend_case_erased(o.id)) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'access_log is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events FOR EACH ROW EXECUTE FUNCTION passend_case_events_update();
--> statement-breakpoint
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION passend_refuse();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION passend_audit_log_update();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION passend_refuse();
--> statement-breakpoint
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log FOR EACH ROW EXECUTE FUNCTION passend_access_log_update();
--> statement-breakpoint
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION passend_access_log_delete();
--> statement-breakpoint
-- TRUNCATE skips row triggers: refuse it on the append-only tables too.
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events FOR EACH STATEMENT EXECUTE FUNCTION passend_refuse();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION passend_refuse();
--> statement-breakpoint
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log FOR EACH STATEMENT EXECUTE FUNCTION passend_refuse();
