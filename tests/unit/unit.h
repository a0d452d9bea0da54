/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * unit.h - what every cmocka test program here shares: the list of tests
 * it runs, one per row of its tables and then the others, and the
 * sanitizer setting that turns undefined behaviour into a failed test.
 * Included once, by the test program's only source file.
 */
#ifndef PRINTGATE_TESTS_UNIT_H
#define PRINTGATE_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/util.h"

/*
 * In the sanitizer build (make SAN=address,undefined) undefined behaviour
 * stops the process instead of printing a line that nobody reads, so
 * that it fails a test.  Only the sanitizer's runtime calls this.
 */
const char *__ubsan_default_options(void);

const char *
__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* The tests to run, handed to _cmocka_run_group_tests() by main. */
static struct CMUnitTest *tests;
static size_t ntests;

/* Adds a test; row is its initial state (a table row, or NULL). */
static void
add_test(const char *name, CMUnitTestFunction fn, const void *row)
{
	tests = xreallocarray(tests, ntests + 1, sizeof(*tests));
	tests[ntests++] = (struct CMUnitTest){
		.name = name,
		.test_func = fn,
		.initial_state = (void *)(uintptr_t)row,
	};
}

#endif
