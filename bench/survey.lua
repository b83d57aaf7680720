-- wrk script for bench_survey.py: counts every status code and, for POSTs, gives
-- each request a unique submission_id and remembers which ids were answered 303.
--   wrk ... -s survey.lua URL -- get
--   wrk ... -s survey.lua URL -- post PREFIX IDS_FILE ORIGIN BODY [COOKIE]
-- BODY is the fixed part of the form, already URL-encoded (every hidden field of
-- the page but submission_id, and action=submit); each request appends its own
-- "&submission_id=<unique>&overall=<1..5>". COOKIE is the Cookie header's value;
-- when it is empty or left out, no Cookie header is sent. Every POST also carries
-- what a browser sends with a same-origin form: "Origin: ORIGIN" (e.g.
-- http://127.0.0.1:8000) and "Sec-Fetch-Site: same-origin".
-- Run it with as many threads as connections (one connection per thread): a
-- connection sends its next request only after the answer to the previous one,
-- so the answer wrk reads belongs to the id this thread made last.
-- done() prints one line: "RESULT {json}" with rps, latency percentiles (µs),
-- socket errors and the count of each status; for POSTs it writes IDS_FILE, one
-- line per id: "<id> <status>" (status 0: sent, never answered, e.g. cut off by
-- the end of the run).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "get"
  statuses = {}
  if mode == "post" then
    prefix = args[2]
    ids_file = args[3]
    headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Origin"] = args[4],
      ["Sec-Fetch-Site"] = "same-origin",
    }
    fixed = args[5]
    if args[6] and args[6] ~= "" then
      headers["Cookie"] = args[6]
    end
    sent = {}
    answered = {}
  end
end

function request()
  if mode ~= "post" then
    return wrk.format("GET")
  end
  counter = counter + 1
  local sid = string.format("%s%02d%010d", prefix, id, counter)
  sent[#sent + 1] = sid
  last = sid
  local body = fixed .. "&submission_id=" .. sid .. "&overall=" .. (counter % 5 + 1)
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode == "post" then
    answered[last] = status
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do
      total[status] = (total[status] or 0) + n
    end
  end
  if threads[1] and threads[1]:get("mode") == "post" then
    local out = assert(io.open(threads[1]:get("ids_file"), "w"))
    for _, thread in ipairs(threads) do
      local statuses_of = thread:get("answered")
      for _, sid in ipairs(thread:get("sent")) do
        out:write(sid, " ", statuses_of[sid] or 0, "\n")
      end
    end
    out:close()
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d,'
      .. ' "p99_us": %d, "max_us": %d, "errors": {"connect": %d, "read": %d,'
      .. ' "write": %d, "status": %d, "timeout": %d}, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
