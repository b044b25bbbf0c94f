-- Shared by the bench's wrk scripts: each thread learns its index (tid) and the count.
threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
