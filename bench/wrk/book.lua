-- POST /api/v1/bookings: each request the next (token, child, slot) of the plan file
-- (BENCH_PLAN, one "token child_id slot_id" a line), threads taking every BENCH_THREADS-th
-- line from BENCH_OFFSET on, with a fresh Idempotency-Key per request.
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

-- The first few refusals of each thread, printed at the end as "refused: <status> <body>",
-- and every answer counted by status (a "status:count,..." string: threads share no tables).
refused, kept, statuses = "", 0, {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 201 and kept < 3 then
    kept = kept + 1
    refused = refused .. "refused: " .. status .. " " .. string.sub(body, 1, 200) .. "\n"
  end
  tally = ""
  for code, count in pairs(statuses) do tally = tally .. code .. ":" .. count .. "," end
end

-- And "next: <index>", the first plan line no thread has used: where the next run starts.
function done(summary, latency, requests)
  local next, totals = 0, {}
  for _, thread in ipairs(threads) do
    io.write(thread:get("refused") or "")
    next = math.max(next, thread:get("n"))
    for code, count in string.gmatch(thread:get("tally") or "", "(%d+):(%d+),") do
      totals[code] = (totals[code] or 0) + tonumber(count)
    end
  end
  io.write("next: " .. next .. "\n")
  for code, count in pairs(totals) do io.write("status " .. code .. ": " .. count .. "\n") end
end
