// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for whole `xl save` files (state/xlsave.c): the input is
 * read as the file, streaming, with every bound the reader has; a file it
 * accepts has its JSON config turned into the rescue config
 * (state/xlsave_config.c), which must either write one or refuse.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "../../state/xlsave.h"
#include "../../state/xlsave_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlsave_info x;
	struct rescue_facts facts = { .dm_path = "/usr/libexec/hvmdm/hvmdm", .source = "fuzz",
				      .vram_bytes = 4u << 20 };
	char err[512];
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	if (xlsave_read(f, &x, err, sizeof(err)) == 0 && x.config) {
		json_t *cfg = json_loads(x.config, 0, NULL);
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		if (cfg && out)
			xlsave_rescue_config(cfg, &facts, out, err, sizeof(err));
		if (out)
			fclose(out);
		free(text);
		json_decref(cfg);
	}
	xlsave_free(&x);
	fclose(f);
	return 0;
}
