// SPDX-License-Identifier: GPL-2.0-only
/*
 * romsum FILE: make an option ROM's bytes sum to zero by setting its last
 * byte, which the test guests leave to padding, as BIOSes check.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static unsigned char rom[256 * 1024];
	unsigned char sum = 0;
	size_t len, at;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r+b"))) {
		fprintf(stderr, "usage: romsum FILE (an option ROM, at most 256 KiB)\n");
		return 2;
	}
	len = fread(rom, 1, sizeof(rom), f);
	if (len < 512 || len % 512 || rom[0] != 0x55 || rom[1] != 0xaa) {
		fprintf(stderr, "romsum: %s is not an option ROM\n", argv[1]);
		return 1;
	}
	at = len - 1;
	rom[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (unsigned char)(sum + rom[i]);
	rom[at] = (unsigned char)(0x100 - sum);
	if (fseek(f, 0, SEEK_SET) || fwrite(rom, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "romsum: cannot write %s\n", argv[1]);
		return 1;
	}
	return 0;
}
