-- GET BENCH_PREFIX .. n .. BENCH_SUFFIX for a random n in 1..BENCH_COUNT: a different cold
-- thread each time (BENCH_SUFFIX, optional: more query parameters, e.g. "&sort=best").
local prefix = os.getenv("BENCH_PREFIX")
local suffix = os.getenv("BENCH_SUFFIX") or ""
local count = tonumber(os.getenv("BENCH_COUNT"))
math.randomseed(os.time())

request = function()
  return wrk.format("GET", prefix .. math.random(1, count) .. suffix)
end
