-- POST EventList bodies (one per line of $BODIES, each with $EVENTS_PER_BODY events) to /audit in turn; count
-- the answers by status so the runner can tell events accepted (200) from bodies to retry (429).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  bodies[#bodies + 1] = line
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

local i = 0
ok, busy, other = 0, 0, 0  -- globals: done() reads them with thread:get
function init(args)
  i = id * 7919
end

function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 429 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local t_ok, t_busy, t_other = 0, 0, 0
  for _, t in ipairs(threads) do
    t_ok = t_ok + t:get("ok")
    t_busy = t_busy + t:get("busy")
    t_other = t_other + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"ok":%d,"busy_429":%d,"other_status":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, t_ok, t_busy, t_other,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout))
end
