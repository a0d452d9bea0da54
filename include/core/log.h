/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * log.h - the log API of every program, after OpenBSD's log.c.
 *
 * Lines go to stderr.  When stderr is the journal (JOURNAL_STREAM matches)
 * or log_init() is told so, each line carries an sd-daemon priority prefix
 * ("<4>") so that journald files it at the right level.
 *
 * log_warn() appends strerror(errno); log_warnx() does not.  fatal() and
 * fatalx() are for start-up only: they log and exit(2).
 */
#ifndef PRINTGATE_LOG_H
#define PRINTGATE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

void log_init(const char *progname, bool verbose);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#endif
