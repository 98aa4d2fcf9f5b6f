-- wrk script for `make bench`: one request shape, and a JSON summary at the end.
--
-- Environment (set by bench/run.py):
--   BENCH_METHOD   GET or PATCH
--   BENCH_COOKIE   the Cookie header (session id and csrftoken), empty for none
--   BENCH_CSRF     the x-csrftoken header for unsafe methods
--   BENCH_FIELD    for PATCH: the JSON field that gets a new value each request
--   BENCH_ACCEPT   the Accept header
--
-- A PATCH writes a name that no other request wrote (thread letter + counter
-- spelled in letters, since name fields may refuse digits), so every request
-- is a real change that reaches the database.

local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local field = os.getenv("BENCH_FIELD") or "first_name"
local accept = os.getenv("BENCH_ACCEPT") or "application/json"

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_letter", string.char(64 + thread_count))
   table.insert(threads, thread)
end

local counter = 0

local function letters(n)
   local out = ""
   repeat
      out = string.char(97 + n % 26) .. out
      n = math.floor(n / 26)
   until n == 0
   return out
end

function init(args)
   wrk.method = method
   if cookie ~= "" then
      wrk.headers["Cookie"] = cookie
   end
   wrk.headers["Accept"] = accept
   wrk.headers["User-Agent"] = "portal-bench"  -- bench/servers.py USER_AGENT
   if method ~= "GET" then
      wrk.headers["Content-Type"] = "application/json"
      wrk.headers["X-CSRFToken"] = csrf
   end
end

function request()
   if method == "GET" then
      return wrk.format()
   end
   counter = counter + 1
   local body = string.format('{"%s": "Bench%s%s"}', field, thread_letter, letters(counter))
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   io.write(string.format(
      '{"bench": true, "requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
      '"status_errors": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
      summary.errors.timeout))
end
