/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * platform.c - the table of chat platforms: the one place that lists
 * them.  Each row is its platform's file's (chat/platform.h); the order
 * is the order their settings are read and their names listed in
 * messages ("slack, mattermost, teams or webhook").
 */
#include "chat/platform.h"

#include <stddef.h>
#include <string.h>

#include "chat/email.h"
#include "chat/mattermost.h"
#include "chat/slack.h"
#include "chat/teams.h"
#include "chat/webhook.h"
#include "core/util.h"

const struct platform *const platform_table[] = {
	&slack_platform,
	&mattermost_platform,
	&teams_platform,
	&webhook_platform,
	&email_platform,
};

const size_t platform_count = ARRAY_SIZE(platform_table);

static const struct config_platform *const configs[] = {
	&slack_platform.conf,
	&mattermost_platform.conf,
	&teams_platform.conf,
	&webhook_platform.conf,
	&email_platform.conf,
};

_Static_assert(ARRAY_SIZE(configs) == ARRAY_SIZE(platform_table),
    "every platform has its configuration");
_Static_assert(ARRAY_SIZE(platform_table) <= CONFIG_MAX_PLATFORMS,
    "config.h holds every platform");
_Static_assert(ARRAY_SIZE(platform_table) <= NOTICE_MAX_HANDLES,
    "a notice carries a person's id on every platform");

const struct config_platforms platform_configs = {
	configs, ARRAY_SIZE(configs),
};

const struct platform *
platform_of(const struct config_platform *conf)
{
	for (size_t i = 0; i < platform_count; i++)
		if (&platform_table[i]->conf == conf)
			return platform_table[i];
	return NULL;
}

const struct platform *
platform_find(const char *name)
{
	for (size_t i = 0; name && i < platform_count; i++)
		if (strcmp(platform_table[i]->conf.name, name) == 0)
			return platform_table[i];
	return NULL;
}
