"""gunicorn settings (read from the working directory by default, or `gunicorn -c`).

gunicorn's own lines (worker starts, timeouts) go through the app's one JSON log
handler (parentapp/logs.py), so every line of a web host has the same format and
time zone. gunicorn writes no access log: the app writes one line per request
with its request id and without the query string.
"""

accesslog = None
logconfig_dict = {
    "root": {"level": "INFO", "handlers": ["parentapp"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
    # Named "parentapp": create_app finds this handler and adds no second one.
    "handlers": {"parentapp": {"()": "parentapp.logs.stderr_handler"}},
    "formatters": {},
}
