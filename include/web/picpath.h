/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * picpath.h - the parts of a preview picture's URL, read from outside
 * input before anything else looks at them: a pair of versions
 * ("OLD.NEW"), a picture's file name ("new-2.png"), and the path of a
 * picture chat shows, "/p/OLD.NEW.MAC/NAME.png" (previews.h).  Plain
 * functions of their input, for previews.c and the fuzz target.
 */
#ifndef PRINTGATE_WEB_PICPATH_H
#define PRINTGATE_WEB_PICPATH_H

#include <stdbool.h>

#include "core/util.h"
#include "render/job.h"

#define PICPATH_CHAT_PREFIX "/p/"
/* A pair's buffer: "OLD.NEW" is 81 bytes at most, then the cache's ".DPI". */
#define PICPATH_PAIR_MAX 96
/* A picture's file name's buffer: the renderer's name, ".png", the NUL. */
#define PICPATH_FILE_MAX (JOB_IMAGE_NAME_MAX + 5)
/* A MAC's buffer: 32 lowercase hex digits and the NUL. */
#define PICPATH_MAC_MAX 33

/*
 * Splits pair "OLD.NEW" into its two blob ids, each 40 lowercase hex
 * digits or "0" for none ("" in old or new), not both "0".  -EINVAL when
 * it is not that, old and new then undefined.
 */
int picpath_pair_split(const char *pair, char old[OID_HEX],
    char new[OID_HEX]);

/*
 * Whether name is a picture's file name: 1 to JOB_IMAGE_NAME_MAX - 1 of
 * [a-z0-9-], then ".png".
 */
bool picpath_name_ok(const char *name);

/*
 * Splits path "/p/OLD.NEW.MAC/NAME.png" into the pair (picpath_pair_split
 * takes it), the MAC (32 lowercase hex digits) and the file name
 * (picpath_name_ok takes it).  -EINVAL when it is not that; the buffers
 * then hold anything within their sizes.
 */
int picpath_chat_split(const char *path, char pair[PICPATH_PAIR_MAX],
    char mac[PICPATH_MAC_MAX], char file[PICPATH_FILE_MAX]);

#endif
