// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VNC server against a real RFB client (Debian's libvncclient): the
 * picture a client receives equals the surface, a resize reaches it, keys
 * and pointer come back on the loop thread, VNC authentication with the
 * password set over QMP, and a client that sends garbage is dropped while
 * the others carry on. The command-line forms libxl passes are parsed.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rfb/rfbclient.h>

#include "ui/vnc.h"

/*
 * libvncclient leaves a few allocations behind (the framebuffer its default
 * allocator made, a refused client's strings): the client is not under test.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libvncclient.so\n";
}

struct seen {
	unsigned int keys, pointers;
	uint32_t last_keysym;
	bool last_down;
	int x, y;
	unsigned int buttons;
};

static void seen_key(void *opaque, uint32_t keysym, bool down)
{
	struct seen *s = opaque;

	s->keys++;
	s->last_keysym = keysym;
	s->last_down = down;
}

static void seen_pointer(void *opaque, int x, int y, unsigned int buttons)
{
	struct seen *s = opaque;

	s->pointers++;
	s->x = x;
	s->y = y;
	s->buttons = buttons;
}

static const struct vnc_input_ops seen_ops = { .key = seen_key, .pointer = seen_pointer };

static const char *client_password = "";

static char *get_password(rfbClient *cl)
{
	(void)cl;
	return strdup(client_password);
}

static void quiet(const char *fmt, ...)
{
	(void)fmt;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static rfbClient *connect_client(unsigned int port)
{
	rfbClient *cl = rfbGetClient(8, 3, 4);

	assert_non_null(cl);
	rfbClientLog = quiet;
	rfbClientErr = quiet;
	cl->serverHost = strdup("127.0.0.1");
	cl->serverPort = (int)port;
	cl->GetPassword = get_password;
	cl->canHandleNewFBSize = TRUE;
	/* Lossless encodings only: the pixels are compared exactly. */
	cl->appData.encodingsString = "zlib hextile raw";
	cl->appData.enableJPEG = FALSE;
	/* The client's pixels: red in the low byte (its default), compared below. */
	if (!rfbInitClient(cl, NULL, NULL))
		return NULL; /* rfbInitClient freed it */
	return cl;
}

static uint32_t client_pixel(rfbClient *cl, int x, int y)
{
	const uint8_t *p = cl->frameBuffer + ((size_t)y * cl->width + x) * 4;

	/* Client order R, G, B: back to 0x00RRGGBB. */
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Pump the client until pred holds or 10 s pass (a failure, not a timing). */
static bool client_until(rfbClient *cl, bool (*pred)(rfbClient *cl, void *arg), void *arg)
{
	uint64_t t0 = now_ms();
	bool first = true;

	while (now_ms() - t0 < 10000) {
		int n;

		if (pred(cl, arg))
			return true;
		/* As viewers do: one full request, then incremental ones. */
		SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, !first);
		first = false;
		n = WaitForMessage(cl, 100000);
		if (n < 0)
			return false;
		if (n > 0 && !HandleRFBServerMessage(cl))
			return false;
	}
	return pred(cl, arg);
}


static bool matches_surface(rfbClient *cl, void *arg)
{
	const struct display_surface *s = arg;

	if ((uint32_t)cl->width != s->width || (uint32_t)cl->height != s->height || !cl->frameBuffer)
		return false;
	for (uint32_t y = 0; y < s->height; y++)
		for (uint32_t x = 0; x < s->width; x++)
			if (client_pixel(cl, (int)x, (int)y) != s->pixels[y * s->width + x])
				return false;
	return true;
}

static void paint(struct display_surface *s, uint32_t seed)
{
	for (uint32_t y = 0; y < s->height; y++) {
		for (uint32_t x = 0; x < s->width; x++)
			s->pixels[y * s->width + x] = ((x * 4 + seed) & 0xff) << 16 | ((y * 3) & 0xff) << 8 |
						      (((x ^ y) + seed) & 0xff);
		surface_mark_row(s, y);
	}
}

static void loop_until(struct loop *l, const unsigned int *counter, unsigned int want)
{
	uint64_t t0 = now_ms();

	while (*counter < want && now_ms() - t0 < 10000)
		loop_run_once(l, 50);
}

static struct vnc_server *start(struct loop *l, struct seen *seen, const char *arg)
{
	struct vnc_config cfg;
	struct vnc_server *v;
	bool enabled;
	char err[200];

	assert_int_equal(vnc_parse(arg, &cfg, &enabled, err, sizeof(err)), 0);
	assert_true(enabled);
	if (vnc_start(&v, &cfg, l, &seen_ops, seen, err, sizeof(err)))
		fail_msg("vnc_start: %s", err);
	return v;
}

static void test_picture_and_input(void **state)
{
	struct display_surface s;
	struct seen seen = { 0 };
	struct vnc_server *v;
	struct loop l;
	rfbClient *cl, *cl2;
	char host[64];
	unsigned int port;

	(void)state;
	loop_init(&l, NULL);
	v = start(&l, &seen, "127.0.0.1:40,to=99");
	vnc_address(v, host, sizeof(host), &port);
	assert_string_equal(host, "127.0.0.1");
	assert_true(port >= 5940 && port <= 5999);
	surface_init(&s);
	assert_int_equal(surface_resize(&s, 64, 48), 0);
	paint(&s, 1);
	vnc_publish(v, &s);
	cl = connect_client(port);
	assert_non_null(cl);
	assert_true(client_until(cl, matches_surface, &s));
	/* A change to a few rows arrives. */
	surface_clear_dirty(&s);
	for (uint32_t x = 0; x < 64; x++)
		s.pixels[20 * 64 + x] = 0x00abcdef;
	surface_mark_row(&s, 20);
	vnc_publish(v, &s);
	assert_true(client_until(cl, matches_surface, &s));
	/* A mode change: the client gets the new size and picture. */
	assert_int_equal(surface_resize(&s, 100, 80), 0);
	paint(&s, 7);
	vnc_publish(v, &s);
	assert_true(client_until(cl, matches_surface, &s));
	/* Keys and pointer reach the loop thread's callbacks. */
	SendKeyEvent(cl, 0x61, TRUE);
	SendKeyEvent(cl, 0x61, FALSE);
	loop_until(&l, &seen.keys, 2);
	assert_int_equal(seen.keys, 2);
	assert_int_equal(seen.last_keysym, 0x61);
	assert_false(seen.last_down);
	SendPointerEvent(cl, 33, 44, 1);
	loop_until(&l, &seen.pointers, 1);
	assert_int_equal(seen.x, 33);
	assert_int_equal(seen.y, 44);
	assert_int_equal(seen.buttons, 1);
	/* A second client shares the display. */
	cl2 = connect_client(port);
	assert_non_null(cl2);
	assert_true(client_until(cl2, matches_surface, &s));
	assert_true(client_until(cl, matches_surface, &s));
	rfbClientCleanup(cl2);
	rfbClientCleanup(cl);
	vnc_stop(v);
	loop_destroy(&l);
	surface_destroy(&s);
}

/* A client that sends garbage is dropped; the server goes on serving others. */
static void test_garbage_client(void **state)
{
	static const char junk[] = "RFB 003.008\n\xff\xff\xff\xff\x7f\xff\xff\xff GARBAGE GARBAGE";
	struct display_surface s;
	struct seen seen = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct vnc_server *v;
	struct loop l;
	rfbClient *cl;
	char host[64], buf[4096];
	unsigned int port;
	uint64_t t0;
	int fd;
	ssize_t n = 1;

	(void)state;
	loop_init(&l, NULL);
	v = start(&l, &seen, "127.0.0.1:41,to=99");
	vnc_address(v, host, sizeof(host), &port);
	surface_init(&s);
	assert_int_equal(surface_resize(&s, 32, 32), 0);
	paint(&s, 3);
	vnc_publish(v, &s);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	/* The server closes the connection: read reaches the end. */
	t0 = now_ms();
	while (n > 0 && now_ms() - t0 < 10000)
		n = read(fd, buf, sizeof(buf));
	assert_true(n <= 0);
	close(fd);
	cl = connect_client(port);
	assert_non_null(cl);
	assert_true(client_until(cl, matches_surface, &s));
	rfbClientCleanup(cl);
	vnc_stop(v);
	loop_destroy(&l);
	surface_destroy(&s);
}

/* password=on: nobody gets in until QMP sets the password; then only with it. */
static void test_password(void **state)
{
	struct display_surface s;
	struct seen seen = { 0 };
	struct vnc_server *v;
	struct loop l;
	rfbClient *cl;
	char host[64];
	unsigned int port;

	(void)state;
	loop_init(&l, NULL);
	v = start(&l, &seen, "127.0.0.1:42,to=99,password=on");
	vnc_address(v, host, sizeof(host), &port);
	surface_init(&s);
	assert_int_equal(surface_resize(&s, 16, 16), 0);
	paint(&s, 5);
	vnc_publish(v, &s);
	client_password = "";
	assert_null(connect_client(port));
	assert_int_equal(vnc_set_password(v, "s3cr3tpassword"), 0);
	client_password = "wrong";
	assert_null(connect_client(port));
	/* VNC authentication keys on the first 8 characters. */
	client_password = "s3cr3tpa";
	cl = connect_client(port);
	assert_non_null(cl);
	assert_true(client_until(cl, matches_surface, &s));
	rfbClientCleanup(cl);
	vnc_stop(v);
	/* Without password=on there is no password to set (QEMU refuses too). */
	v = start(&l, &seen, "127.0.0.1:43,to=99");
	assert_int_equal(vnc_set_password(v, "x"), -EPERM);
	vnc_stop(v);
	loop_destroy(&l);
	surface_destroy(&s);
}

/* The -vnc forms libxl 4.17 builds (libxl_dm.c), and what is refused. */
static void test_parse(void **state)
{
	struct vnc_config cfg;
	bool enabled;
	char err[200];

	(void)state;
	assert_int_equal(vnc_parse("127.0.0.1:0,to=99", &cfg, &enabled, err, sizeof(err)), 0);
	assert_true(enabled);
	assert_string_equal(cfg.host, "127.0.0.1");
	assert_int_equal(cfg.display, 0);
	assert_int_equal(cfg.to, 99);
	assert_false(cfg.password);
	assert_int_equal(vnc_parse("0.0.0.0:3,password=on", &cfg, &enabled, err, sizeof(err)), 0);
	assert_int_equal(cfg.display, 3);
	assert_int_equal(cfg.to, -1);
	assert_true(cfg.password);
	assert_int_equal(vnc_parse("none", &cfg, &enabled, err, sizeof(err)), 0);
	assert_false(enabled);
	assert_int_equal(vnc_parse("127.0.0.1", &cfg, &enabled, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vnclisten"));
	assert_int_equal(vnc_parse("127.0.0.1:x", &cfg, &enabled, err, sizeof(err)), -1);
	assert_int_equal(vnc_parse("127.0.0.1:5,to=4", &cfg, &enabled, err, sizeof(err)), -1);
	assert_int_equal(vnc_parse("127.0.0.1:5,tls-creds=x", &cfg, &enabled, err, sizeof(err)), -1);
	assert_int_equal(vnc_parse("[::1]:0", &cfg, &enabled, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_picture_and_input),
		cmocka_unit_test(test_garbage_client),
		cmocka_unit_test(test_password),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("vnc", tests, NULL, NULL);
}
