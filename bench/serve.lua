-- wrk script for bench/serve.sh: POSTs a mix of AdmissionReviews (files listed in BH_BODIES, one path per
-- line, a path may repeat to weight it) round-robin over TLS keep-alive. BH_RATE (requests/s for the whole
-- run, 0 = as fast as possible) paces each connection with delay(); BH_CONNS must equal wrk's -c.
-- done() prints the percentiles and the non-2xx count as "key value" lines for the shell to read.
local bodies = {}
local rate = tonumber(os.getenv("BH_RATE") or "0")
local conns = tonumber(os.getenv("BH_CONNS") or "1")
local gap_ms = 0

function init(args)
  for path in io.lines(os.getenv("BH_BODIES")) do
    local f = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  if rate > 0 then gap_ms = conns * 1000 / rate end
end

local i = 0
function request()
  i = i + 1
  local b = bodies[(i % #bodies) + 1]
  return wrk.format("POST", "/validate", {["Content-Type"] = "application/json"}, b)
end

if rate > 0 then
  -- exponential gaps (Poisson arrivals): fixed gaps would wake every connection in step and measure bursts
  function delay() return -math.log(1 - math.random()) * gap_ms end
end

function done(summary, latency, requests)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_s %.3f\n", summary.duration / 1e6))
  io.write(string.format("rps %.0f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("non2xx %d\n", summary.errors.status))
  io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("p%s_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("max_us %d\n", latency.max))
end
