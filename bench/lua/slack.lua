-- SPDX-License-Identifier: GPL-3.0-or-later
-- slack.lua - what bench/lua/repeat.lua and walk.lua share: Slack requests
-- read from a file made by bench/listener.sh, a status count per thread,
-- a monotonic clock, and the report that done() prints.
--
-- A request file has one request a line, "TIMESTAMP SIGNATURE BODY": the
-- X-Slack-Request-Timestamp and X-Slack-Signature headers and the form
-- body (payload=...), already URL-encoded, so it has no spaces.
--
-- The report is lines "result KEY VALUE..." on stdout, after wrk's own
-- summary: requests, status CODE N (one a code), errors N (socket errors
-- and timeouts), p50_ms, p99_ms, max_ms, and what the calling script adds
-- (rate, unanswered, exhausted).

local ffi = require("ffi")
ffi.cdef[[
struct slack_timespec { long tv_sec; long tv_nsec; };
int clock_gettime(int clock, struct slack_timespec *ts);
]]
local clock_ts = ffi.new("struct slack_timespec")

slack = {}

-- Milliseconds on CLOCK_MONOTONIC (1 on Linux).
function slack.now_ms()
   ffi.C.clock_gettime(1, clock_ts)
   return tonumber(clock_ts.tv_sec) * 1000 + tonumber(clock_ts.tv_nsec) / 1e6
end

-- The requests of FILE, built once, as wrk sends them, to PATH.
function slack.load(file, path)
   local reqs = {}
   local f = assert(io.open(file, "r"), "cannot open " .. file)
   for line in f:lines() do
      local ts, sig, body = line:match("^(%S+) (%S+) (%S+)$")
      assert(ts, file .. ": not \"TIMESTAMP SIGNATURE BODY\": " .. line:sub(1, 60))
      reqs[#reqs + 1] = wrk.format("POST", path, {
         ["Content-Type"] = "application/x-www-form-urlencoded",
         ["X-Slack-Request-Timestamp"] = ts,
         ["X-Slack-Signature"] = sig,
      }, body)
   end
   f:close()
   assert(#reqs > 0, file .. ": no requests")
   return reqs
end

-- Every thread of the run, for done(); each counts answers by status in
-- its global "statuses".
local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
end

statuses = {}

function slack.count(status)
   statuses[status] = (statuses[status] or 0) + 1
end

-- The sum over the threads of the number-valued global NAME.
function slack.sum(name)
   local n = 0
   for _, t in ipairs(threads) do
      n = n + (t:get(name) or 0)
   end
   return n
end

function slack.report(summary, latency)
   local all = {}
   for _, t in ipairs(threads) do
      for code, n in pairs(t:get("statuses") or {}) do
         all[code] = (all[code] or 0) + n
      end
   end
   local e = summary.errors
   io.write(string.format("result requests %d\n", summary.requests))
   for code, n in pairs(all) do
      io.write(string.format("result status %d %d\n", code, n))
   end
   io.write(string.format("result errors %d\n",
      e.connect + e.read + e.write + e.timeout))
   io.write(string.format("result p50_ms %.3f\n", latency:percentile(50) / 1000))
   io.write(string.format("result p99_ms %.3f\n", latency:percentile(99) / 1000))
   io.write(string.format("result max_ms %.3f\n", latency.max / 1000))
end
