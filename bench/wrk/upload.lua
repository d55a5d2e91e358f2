-- Uploads SIZE bytes per request to COUNT target files, round robin, so disk use stays bounded.
-- wrk ... -s upload.lua URL -- MODE PREFIX COUNT SIZE
--   MODE post: Envd's multipart POST /files?path=PREFIX<i>.bin (PREFIX is an absolute path)
--   MODE put:  WebDAV PUT PREFIX<i>.bin (PREFIX is a URL path)
local requests = {}
local next_index = 0

function init(args)
  local mode, prefix, count, size = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  math.randomseed(7)
  local block = {}
  for i = 1, 4096 do block[i] = string.char(math.random(0, 255)) end
  local data = string.rep(table.concat(block), math.floor(size / 4096))
  local boundary = "envdbench7a3c9e51"
  for i = 0, count - 1 do
    local target = prefix .. i .. ".bin"
    if mode == "post" then
      local body = "--" .. boundary .. "\r\n"
        .. 'Content-Disposition: form-data; name="file"; filename="' .. target .. '"\r\n'
        .. "Content-Type: application/octet-stream\r\n\r\n"
        .. data .. "\r\n--" .. boundary .. "--\r\n"
      requests[i] = wrk.format("POST", "/files?path=" .. target,
        { ["Content-Type"] = "multipart/form-data; boundary=" .. boundary }, body)
    else
      requests[i] = wrk.format("PUT", target, { ["Content-Type"] = "application/octet-stream" }, data)
    end
  end
  requests.count = count
end

function request()
  local r = requests[next_index]
  next_index = (next_index + 1) % requests.count
  return r
end

done = dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
