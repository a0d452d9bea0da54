/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * picpath.c - the parts of a preview picture's URL (see picpath.h).
 * Each function checks the whole form of what it takes, so that what
 * previews.c then builds a cache path from is a pair of hex ids and a
 * name of a few letters, never a '/' or a "..".
 */
#include "web/picpath.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define HEX_LOWER "0123456789abcdef"

/* Whether the n bytes at s are lowercase hex digits. */
static bool
hex_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(HEX_LOWER, s[i]) == NULL)
			return false;
	return true;
}

/* Whether the n bytes at s are a blob id or "0". */
static bool
id_ok(const char *s, size_t n)
{
	if (n == 1)
		return s[0] == '0';
	return n == OID_HEX - 1 && hex_ok(s, n);
}

int
picpath_pair_split(const char *pair, char old[OID_HEX], char new[OID_HEX])
{
	const char *dot = strchr(pair, '.');
	size_t a, b;

	if (dot == NULL)
		return -EINVAL;
	a = (size_t)(dot - pair);
	b = strlen(dot + 1);
	if (!id_ok(pair, a) || !id_ok(dot + 1, b) || (a == 1 && b == 1))
		return -EINVAL;
	snprintf(old, OID_HEX, "%.*s", a == 1 ? 0 : (int)a, pair);
	snprintf(new, OID_HEX, "%s", b == 1 ? "" : dot + 1);
	return 0;
}

bool
picpath_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n < 5 || n >= JOB_IMAGE_NAME_MAX + 4 ||
	    strcmp(name + n - 4, ".png") != 0)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	    n - 4;
}

int
picpath_chat_split(const char *path, char pair[PICPATH_PAIR_MAX],
    char mac[PICPATH_MAC_MAX], char file[PICPATH_FILE_MAX])
{
	const char *p, *slash, *dot;
	char old[OID_HEX], new[OID_HEX];
	size_t n;

	if (!str_startswith(path, PICPATH_CHAT_PREFIX))
		return -EINVAL;
	p = path + strlen(PICPATH_CHAT_PREFIX);
	/* the MAC is the 32 bytes before the first '/', after a '.' */
	if ((slash = strchr(p, '/')) == NULL ||
	    (n = (size_t)(slash - p)) < PICPATH_MAC_MAX ||
	    n - PICPATH_MAC_MAX >= PICPATH_PAIR_MAX ||
	    p[n - PICPATH_MAC_MAX] != '.')
		return -EINVAL;
	dot = p + n - PICPATH_MAC_MAX;
	if (!hex_ok(dot + 1, PICPATH_MAC_MAX - 1) ||
	    strlen(slash + 1) >= PICPATH_FILE_MAX)
		return -EINVAL;
	memcpy(pair, p, (size_t)(dot - p));
	pair[dot - p] = '\0';
	memcpy(mac, dot + 1, PICPATH_MAC_MAX - 1);
	mac[PICPATH_MAC_MAX - 1] = '\0';
	strcpy(file, slash + 1);
	if (picpath_pair_split(pair, old, new) < 0 || !picpath_name_ok(file))
		return -EINVAL;
	return 0;
}
