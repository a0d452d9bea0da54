-- SPDX-License-Identifier: GPL-3.0-or-later
-- walk.lua - wrk script: the requests of a file, each sent once and in
-- order, for a given time, optionally on a fixed schedule.  The run ends
-- only when every request sent has been answered, so that the caller can
-- compare the answers with what the server stored.
--
--   wrk -t1 -d LIMIT --timeout 10s -s bench/lua/walk.lua URL -- \
--       FILE SECONDS [INTERVAL_MS [DONE_FILE]]
--
-- FILE is a request file (see slack.lua).  For SECONDS the connections
-- send its lines one after another (one thread only: the lines must leave
-- in file order); then they send nothing more, and the thread stops once
-- the last answer is in, creating DONE_FILE if given, so that the caller
-- can end wrk (SIGINT) instead of waiting for its -d LIMIT, which must be
-- longer than SECONDS.  With INTERVAL_MS (0: none), request n leaves
-- INTERVAL_MS * n after the first one, or at once when the run is behind:
-- a fixed rate, not a closed loop.
--
-- The rate reported is answers over the time from the first request to
-- the last answer; "unanswered" counts requests whose answer had not
-- arrived when wrk stopped (not 0: the comparison is void); "exhausted"
-- is 1 when the file ran out before SECONDS.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "slack.lua")

local reqs, seconds, interval, done_file
local t0, t_end
local reserved = 0	-- requests promised to a connection by delay()
sent, answered, exhausted, elapsed_ms = 0, 0, 0, 0

function init(args)
   reqs = slack.load(args[1], "/slack/actions")
   seconds = assert(tonumber(args[2]), "SECONDS missing")
   interval = tonumber(args[3] or "0")
   done_file = args[4]
end

-- Whether no more requests are to be sent.
local function finished()
   if reserved >= #reqs then
      exhausted = 1
      return true
   end
   return slack.now_ms() >= t_end
end

local function maybe_stop()
   if answered >= reserved and finished() then
      if done_file then
         io.open(done_file, "w"):close()
      end
      wrk.thread:stop()
   end
end

-- wrk asks before every request (the first ones too): how long to wait.
-- A connection told to wait an hour sends nothing more in this run.
function delay()
   local now = slack.now_ms()
   if t0 == nil then
      t0 = now
      t_end = t0 + seconds * 1000
   end
   if finished() then
      maybe_stop()
      return 3600 * 1000
   end
   local wait = interval > 0 and t0 + reserved * interval - now or 0
   reserved = reserved + 1
   return wait > 0 and math.floor(wait) or 0
end

function request()
   -- wrk calls request() once before the run, to check what it returns:
   -- that call is not a request sent (delay() has promised none yet)
   if reserved == 0 then
      return reqs[1]
   end
   sent = sent + 1
   return reqs[sent]
end

function response(status)
   slack.count(status)
   answered = answered + 1
   elapsed_ms = slack.now_ms() - t0
   maybe_stop()
end

function done(summary, latency)
   slack.report(summary, latency)
   local n, ms = slack.sum("answered"), slack.sum("elapsed_ms")
   io.write(string.format("result sent %d\n", slack.sum("sent")))
   io.write(string.format("result rate %.1f\n", ms > 0 and n / (ms / 1000) or 0))
   io.write(string.format("result seconds %.2f\n", ms / 1000))
   io.write(string.format("result unanswered %d\n", slack.sum("sent") - n))
   io.write(string.format("result exhausted %d\n", slack.sum("exhausted")))
end
