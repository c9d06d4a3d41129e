-- Sandbox attestation (issue 13): each execution records which isolation layers held for its
-- detector process, an object of booleans with the keys mount_namespace, pid_namespace,
-- network_namespace, other_uid, memory_cap, disk_cap, process_cap and permission_model. NULL for
-- runs that never started a process (rejected, cancelled before dispatch) and for older rows.
ALTER TABLE executions ADD COLUMN sandbox jsonb;

-- vigil_finish_runs writes it in the same fenced statement as the outcome:
-- packages/db/sql/vigil_finish_runs.sql.
