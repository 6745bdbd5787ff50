"""Running the peak as a whole service: plans from the database, checks that raise alerts for
supervisors (scheduled by the job runner as plain ``check_...(kefu, now)`` functions)."""
