-- GET the URL with "Authorization: Bearer $BENCH_TOKEN".
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
