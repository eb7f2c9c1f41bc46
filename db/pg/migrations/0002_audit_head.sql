-- The head of the audit log, read under the audit lock in one round trip: the lock is taken
-- first, then (a volatile function's statements each see what is committed when they run) the
-- last entry is read, so the head is the one no other transaction can move until COMMIT.
-- src/store/postgres/audit.ts appends its entries right after, in one INSERT.
CREATE FUNCTION passend_audit_head(lock_key bigint) RETURNS TABLE (seq integer, log_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN QUERY SELECT a.seq, a.log_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END
$$;
