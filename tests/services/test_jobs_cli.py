from parentapp import jobs


def test_jobs_run_reports_an_unknown_job(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "no-such-job"])
    assert result.exit_code != 0
    assert "unknown job" in result.output


def test_jobs_run_runs_a_registered_job_with_now(app, monkeypatch):
    seen = []
    monkeypatch.setitem(jobs.JOBS, "probe", lambda now: seen.append(now) or "probed")
    runner = app.test_cli_runner()
    assert "probe" in runner.invoke(args=["jobs", "list"]).output
    result = runner.invoke(args=["jobs", "run", "probe"])
    assert result.exit_code == 0 and "probe: probed" in result.output
    assert len(seen) == 1 and seen[0].tzinfo is not None
