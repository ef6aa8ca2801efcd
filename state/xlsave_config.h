/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rescue config: an xl config for `xl restore NEW.cfg FILE` made from the
 * libxl JSON config an xl save file carries (libxl_domain_config_to_json,
 * field names from xen-project/xen tools/libs/light/libxl_types.idl), that
 * starts hvmdm as a qemu-xen device model. Every line that differs from what
 * the guest was saved with says why; what the translation does not carry over
 * is listed as comments, never dropped in silence.
 */
#ifndef HVMDM_STATE_XLSAVE_CONFIG_H
#define HVMDM_STATE_XLSAVE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct rescue_facts {
	const char *dm_path;    /* device_model_override to write */
	const char *source;     /* the save file's name, for the header comment */
	const char *saved_by;   /* which device model wrote the state ("qemu-xen-traditional", ...) */
	uint32_t vram_bytes;    /* the saved display's VRAM, 0 if none or unknown */
};

/*
 * Write the config to out. 0, or -1 with err (a config that is not a
 * libxl domain config, or not an HVM guest's).
 */
int xlsave_rescue_config(json_t *cfg, const struct rescue_facts *facts, FILE *out, char *err,
			 size_t errlen);

#endif
