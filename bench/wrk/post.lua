-- POST a new comment per request, rotating bearer tokens, and count the 201 answers so the
-- harness can compare them with what the database stored afterwards.
local path = os.getenv("BENCH_PATH")
local url_prefix = os.getenv("BENCH_URL_PREFIX")
local count = tonumber(os.getenv("BENCH_COUNT"))
local style = os.getenv("BENCH_STYLE")  -- "ours" or "isso"
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do table.insert(tokens, token) end
local threads = {}
local n = 0
created = 0

setup = function(thread) table.insert(threads, thread) end

request = function()
  n = n + 1
  local target = url_prefix .. math.random(1, count)
  if style == "isso" then
    local body = '{"text": "Benchmark comment number ' .. n .. ' with a few words.", "author": "Bench", "title": "Bench"}'
    return wrk.format("POST", path .. target, {["Content-Type"] = "application/json"}, body)
  end
  local body = '{"url": "' .. target .. '", "title": "Bench", "body": "Benchmark comment number '
    .. n .. ' with a few words."}'
  return wrk.format("POST", path, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]}, body)
end

response = function(status, headers, body)
  if status == 201 then created = created + 1 end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("created") end
  io.write("created " .. total .. "\n")
end
