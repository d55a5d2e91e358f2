-- Downloads COUNT files round robin: wrk ... -s download.lua URL -- PREFIX COUNT
--   PREFIX is "/files?path=/abs/dir/f" for Envd's API or "/dir/f" for nginx; "<i>.bin" is appended.
local requests = {}
local next_index = 0

function init(args)
  local prefix, count = args[1], tonumber(args[2])
  for i = 0, count - 1 do
    requests[i] = wrk.format("GET", prefix .. i .. ".bin")
  end
  requests.count = count
end

function request()
  local r = requests[next_index]
  next_index = (next_index + 1) % requests.count
  return r
end

done = dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
