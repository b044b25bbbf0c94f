-- make bench-scale-out: POST /api/v1/bookings from a plan file like book.lua (BENCH_PLAN,
-- "token child_id slot_id" a line; thread k of this wrk takes every BENCH_THREADS-th line
-- from BENCH_OFFSET + k), and at the end "status CODE: N" for every status code answered.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  plan = {}
  for line in io.lines(os.getenv("BENCH_PLAN")) do
    local token, child, slot = line:match("(%S+) (%S+) (%S+)")
    plan[#plan + 1] = {token, child, slot}
  end
  step = tonumber(os.getenv("BENCH_THREADS"))
  n = tonumber(os.getenv("BENCH_OFFSET")) + tid
  nonce = os.getenv("BENCH_NONCE")
  statuses = {}
end

function request()
  local item = plan[(n % #plan) + 1]
  n = n + step
  local headers = {
    ["Authorization"] = "Bearer " .. item[1],
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = nonce .. "-" .. n,
  }
  local body = '{"child_id": ' .. item[2] .. ', "slot_ids": [' .. item[3] .. ']}'
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

-- done() reads each thread's counts as one "code=n,..." string (a plain global).
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local parts = {}
  for code, count in pairs(statuses) do
    parts[#parts + 1] = code .. "=" .. count
  end
  summary = table.concat(parts, ",")
end

function done(stats, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, count in string.gmatch(thread:get("summary") or "", "(%d+)=(%d+)") do
      totals[code] = (totals[code] or 0) + tonumber(count)
    end
  end
  for code, count in pairs(totals) do
    io.write("status " .. code .. ": " .. count .. "\n")
  end
end
