// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP screendump's encoders: a PPM exactly as QEMU writes one, a PNG that
 * libpng reads back to the same pixels, a file replaced whole or not at all.
 */
#include "testlib.h"

#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ui/screendump.h"

static void paint(struct display_surface *s)
{
	for (uint32_t y = 0; y < s->height; y++)
		for (uint32_t x = 0; x < s->width; x++)
			s->pixels[y * s->width + x] = (x * 5 & 0xff) << 16 | (y * 7 & 0xff) << 8 | ((x + y) & 0xff);
}

static void test_ppm(void **state)
{
	struct display_surface s;
	struct wbuf w;
	char err[200];
	const uint8_t *p;

	(void)state;
	surface_init(&s);
	assert_int_equal(surface_resize(&s, 7, 3), 0);
	paint(&s);
	wbuf_init(&w, 1 << 20);
	assert_int_equal(screendump_encode(&s, SCREENDUMP_PPM, &w, err, sizeof(err)), 0);
	assert_int_equal(w.len, 11 + 7 * 3 * 3);
	assert_memory_equal(w.data, "P6\n7 3\n255\n", 11);
	p = w.data + 11;
	for (uint32_t y = 0; y < 3; y++)
		for (uint32_t x = 0; x < 7; x++, p += 3) {
			uint32_t v = s.pixels[y * 7 + x];

			assert_int_equal(p[0], (v >> 16) & 0xff);
			assert_int_equal(p[1], (v >> 8) & 0xff);
			assert_int_equal(p[2], v & 0xff);
		}
	wbuf_free(&w);
	surface_destroy(&s);
}

static void test_png(void **state)
{
	png_image img;
	struct display_surface s;
	struct wbuf w;
	char err[200];
	uint8_t *rgb;

	(void)state;
	surface_init(&s);
	assert_int_equal(surface_resize(&s, 33, 17), 0);
	paint(&s);
	wbuf_init(&w, 1 << 20);
	assert_int_equal(screendump_encode(&s, SCREENDUMP_PNG, &w, err, sizeof(err)), 0);
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img, w.data, w.len));
	assert_int_equal(img.width, 33);
	assert_int_equal(img.height, 17);
	img.format = PNG_FORMAT_RGB;
	rgb = malloc(PNG_IMAGE_SIZE(img));
	assert_non_null(rgb);
	assert_true(png_image_finish_read(&img, NULL, rgb, 0, NULL));
	for (uint32_t i = 0; i < 33 * 17; i++) {
		uint32_t v = s.pixels[i];

		assert_int_equal(rgb[3 * i], (v >> 16) & 0xff);
		assert_int_equal(rgb[3 * i + 1], (v >> 8) & 0xff);
		assert_int_equal(rgb[3 * i + 2], v & 0xff);
	}
	free(rgb);
	wbuf_free(&w);
	surface_destroy(&s);
}

static void test_files_and_refusals(void **state)
{
	struct display_surface s;
	enum screendump_format f;
	char err[200], path[] = "/tmp/hvmdm-screendump-XXXXXX";
	struct stat st;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(screendump_format_parse(NULL, &f), 0);
	assert_int_equal(f, SCREENDUMP_PPM);
	assert_int_equal(screendump_format_parse("png", &f), 0);
	assert_int_equal(f, SCREENDUMP_PNG);
	assert_int_equal(screendump_format_parse("bmp", &f), -1);
	surface_init(&s);
	/* Nothing drawn yet: refused, the file untouched. */
	assert_int_equal(screendump_write(&s, SCREENDUMP_PPM, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(surface_resize(&s, 4, 4), 0);
	paint(&s);
	assert_int_equal(screendump_write(&s, SCREENDUMP_PPM, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 11 + 4 * 4 * 3);
	/* A directory that does not exist: an error naming it. */
	assert_int_equal(screendump_write(&s, SCREENDUMP_PPM, "/nonexistent/dir/x.ppm", err, sizeof(err)), -1);
	unlink(path);
	surface_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ppm),
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_files_and_refusals),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("screendump", tests, NULL, NULL);
}
