-- GET /api/v1/nurseries as the mini program's search page asks: random positions in
-- Shizhu county, mostly 5 km, wider radii and later pages less often (per 20 requests:
-- 10 at 5 km, 4 at 10 km, 2 at 20 km, 2 at 50 km, one 5 km page 2, one 50 km page 3).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

local mix = {}
for _ = 1, 10 do mix[#mix + 1] = {5, 1} end
for _ = 1, 4 do mix[#mix + 1] = {10, 1} end
for _ = 1, 2 do mix[#mix + 1] = {20, 1} end
for _ = 1, 2 do mix[#mix + 1] = {50, 1} end
mix[#mix + 1] = {5, 2}
mix[#mix + 1] = {50, 3}

function init(args)
  math.randomseed(2000 + tid)
end

function request()
  local lat = 29.65 + math.random() * 0.88
  local lng = 107.98 + math.random() * 0.59
  local pick = mix[math.random(#mix)]
  return wrk.format("GET", string.format(
    "/api/v1/nurseries?lat=%.5f&lng=%.5f&radius_km=%d&page=%d", lat, lng, pick[1], pick[2]))
end
