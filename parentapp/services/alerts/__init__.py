"""Nursery health and staffing alerts: morning checks, illness absences, clusters, ratio.

    morning check (one per booking and day)        -> checks.record_health_check
    the reason of a no-show (caller commits)       -> checks.record_absence
    illness clusters (3 a day, 5 in 3 days)        -> clusters.detect_clusters
    a check-in that breaks the carer ratio         -> ratio_breach.detect_ratio_breach
    one alert per cause, told to operator and
    regulators in the same transaction             -> opening.open_alerts
    one detection at a time per nursery            -> opening.lock_nursery_alerts
    certificates expiring in 30 days or expired
    (the daily job staff-certificates)             -> certificates.open_certificate_alerts
    the operator's and the regulators' lists,
    open alerts by kind (the dashboard),
    closing an alert                               -> listing
"""
