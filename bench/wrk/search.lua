-- GET /api/v1/nurseries at random positions in Shizhu county (5 km default radius).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  math.randomseed(1000 + tid)
end

function request()
  local lat = 29.65 + math.random() * 0.88
  local lng = 107.98 + math.random() * 0.59
  return wrk.format("GET", string.format("/api/v1/nurseries?lat=%.5f&lng=%.5f", lat, lng))
end
