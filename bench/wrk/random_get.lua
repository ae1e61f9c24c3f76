-- GET BENCH_PREFIX .. n for a random n in 1..BENCH_COUNT: a different cold thread each time.
local prefix = os.getenv("BENCH_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
math.randomseed(os.time())

request = function()
  return wrk.format("GET", prefix .. math.random(1, count))
end
