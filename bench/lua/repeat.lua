-- SPDX-License-Identifier: GPL-3.0-or-later
-- repeat.lua - wrk script: the requests of a file sent over and over, as
-- fast as the connections allow, every answer's status counted.
--
--   wrk -s bench/lua/repeat.lua URL -- FILE [PATH]
--
-- FILE is a request file (see slack.lua); PATH defaults to /slack/actions.
-- The rate is wrk's: answers over the run's duration.

dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "slack.lua")

local reqs, i

function init(args)
   reqs = slack.load(args[1], args[2] or "/slack/actions")
   i = 0
end

function request()
   i = i % #reqs + 1
   return reqs[i]
end

function response(status)
   slack.count(status)
end

function done(summary, latency)
   slack.report(summary, latency)
   io.write(string.format("result rate %.1f\n",
      summary.requests / (summary.duration / 1e6)))
end
