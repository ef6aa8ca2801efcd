// SPDX-License-Identifier: GPL-2.0-only
#include "profile.h"

#include <string.h>

static const char *const names[] = {
	[PROFILE_XENFV] = "xenfv",
	[PROFILE_XENFV_TRAD] = "xenfv-trad",
	[PROFILE_PC] = "pc",
};

const char *profile_name(enum machine_profile p)
{
	return (unsigned int)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}

bool profile_parse(const char *name, enum machine_profile *out)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum machine_profile)i;
			return true;
		}
	}
	return false;
}
