-- POST the same JSON body (BENCH_BODY) on every request.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
