/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * answer.h - what printgated answers to a chat platform's request, in the
 * platform's own format: Slack's and Mattermost's ephemeral responses and
 * message updates, a Teams outgoing webhook's reply, the API's JSON.
 * Each returns a JSON string the caller frees.
 */
#ifndef PRINTGATE_ANSWER_H
#define PRINTGATE_ANSWER_H

#include <stdbool.h>

/* {"response_type":"ephemeral","replace_original":false,"text":…} */
char *answer_slack_text(const char *text, bool code);
/* A rendered Slack message (slack_format) turned into an update of the
 * message the button was on: "replace_original": true. */
char *answer_slack_update(const char *message);
/* {"update":{"message":…,"props":{"attachments":…}},"ephemeral_text":…}
 * from a rendered Mattermost message (mattermost_format), or only the
 * ephemeral text when message is NULL. */
char *answer_mattermost_action(const char *ephemeral, const char *message);
/* {"response_type":"ephemeral","text":…} */
char *answer_mattermost_text(const char *text, bool code);
/* {"type":"message","text":…} */
char *answer_teams_text(const char *text, bool code);
/* The API's answer: {"recorded":…,"review":…,"approved":…,"text":…}, or
 * {"error":…} when review is NULL. */
char *answer_api(bool recorded, const char *review, bool approved,
    const char *text);

#endif
