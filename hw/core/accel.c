// SPDX-License-Identifier: GPL-2.0-only
#include "accel.h"

const char *accel_request_name(enum accel_request req)
{
	switch (req) {
	case ACCEL_REQ_POWEROFF:
		return "power off";
	case ACCEL_REQ_REBOOT:
		return "reboot";
	case ACCEL_REQ_SUSPEND:
		return "suspend to RAM (S3)";
	}
	return "unknown request";
}
