"""Pieces every feature shares.

    the one transaction helper (rolls_back)      -> transactions
    a reads-only answer without BEGIN (PG)       -> transactions.reads_only
    Idempotency-Key claims and replays           -> idempotency
    the list envelope of the contract            -> pagination
    INSERT ... ON CONFLICT for either database   -> dialect_insert
    many rows at once (COPY on PostgreSQL)       -> bulk.insert_new, bulk.upsert
    deleting old rows a batch at a time          -> batches.delete_batch
    scheduled jobs' last success and failure     -> job_runs
    the audit log's entries (caller commits)     -> audit.record
    the regulator's reading of the audit log     -> audit.audit_log, audit.logged_actors,
                                                    audit.logged_nurseries
    caps of the Limits table (409 limit_reached) -> caps.check_cap
"""
