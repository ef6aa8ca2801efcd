// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VNC client for the display tests (LibVNCServer's libvncclient, as
 * test_vnc uses it), for a device model's server -- hvmdm's or the stock
 * QEMU's, the same way:
 *
 *   vnc-tool HOST:PORT capture OUT.ppm [WIDTHxHEIGHT]
 *       the screen as a binary PPM once it has settled (two whole frames
 *       half a second apart are the same, at that size if one is given);
 *       up to 60 s
 *   vnc-tool HOST:PORT key KEYSYM
 *       press and release one key (X keysym, e.g. 0x20 for space)
 *   vnc-tool HOST:PORT pointer X Y [BUTTONS]
 *       move the pointer to (X, Y) with the RFB button mask BUTTONS (1 left,
 *       2 middle, 4 right; default none), then release the buttons there
 *   vnc-tool HOST:PORT bench N
 *       the display benchmark with firmware/guests/vbe.asm's guest after
 *       its drawing: N times each, the time from pressing "f" (the guest
 *       fills the screen) and "l" (it paints one row) until this client has
 *       the new pixels at both ends of what changed; prints
 *       "full MEDIAN MIN MAX" and "line MEDIAN MIN MAX" in milliseconds
 *
 * Lossless encodings only, so two servers showing the same pixels give the
 * same file. Exit status 0, or 1 with the reason on stderr.
 */
#include <rfb/rfbclient.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Set when a framebuffer update message has been handled whole. */
static int frame_done;

static int verbose;

static void update_done(rfbClient *cl, int x, int y, int w, int h)
{
	if (verbose)
		fprintf(stderr, "vnc-tool: rect %d,%d %dx%d of %dx%d\n", x, y, w, h, cl->width, cl->height);
}

static void finished_updates(rfbClient *cl)
{
	(void)cl;
	frame_done = 1;
}

static rfbClient *connect_to(const char *hostport)
{
	rfbClient *cl = rfbGetClient(8, 3, 4);
	const char *colon = strrchr(hostport, ':');

	if (!cl || !colon)
		return NULL;
	rfbClientLog = quiet;
	cl->serverHost = strndup(hostport, (size_t)(colon - hostport));
	cl->serverPort = atoi(colon + 1);
	cl->canHandleNewFBSize = TRUE;
	cl->appData.encodingsString = getenv("VNC_TOOL_ENCODINGS") ? getenv("VNC_TOOL_ENCODINGS") : "zlib hextile raw";
	cl->appData.enableJPEG = FALSE;
	cl->GotFrameBufferUpdate = update_done;
	cl->FinishedFrameBufferUpdate = finished_updates;
	if (!rfbInitClient(cl, NULL, NULL))
		return NULL; /* freed by rfbInitClient */
	return cl;
}

static int write_ppm(rfbClient *cl, const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fprintf(f, "P6\n%d %d\n255\n", cl->width, cl->height);
	for (int i = 0; i < cl->width * cl->height; i++) {
		const uint8_t *p = cl->frameBuffer + (size_t)i * 4; /* the client's R, G, B, X */

		fputc(p[0], f);
		fputc(p[1], f);
		fputc(p[2], f);
	}
	return fclose(f);
}

/* Pump the connection for ms milliseconds (its messages handled). */
static int pump(rfbClient *cl, uint64_t ms)
{
	uint64_t t0 = now_ms();

	while (now_ms() - t0 < ms) {
		int n = WaitForMessage(cl, 50000);

		if (n < 0 || (n > 0 && !HandleRFBServerMessage(cl)))
			return -1;
	}
	return 0;
}

/* One whole frame: a non-incremental request, answered in full. 0, or -1. */
static int whole_frame(rfbClient *cl, uint64_t deadline)
{
	frame_done = 0;
	SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, FALSE);
	while (!frame_done) {
		int n;

		if (now_ms() > deadline)
			return -1;
		n = WaitForMessage(cl, 200000);
		if (n < 0 || (n > 0 && !HandleRFBServerMessage(cl)))
			return -1;
	}
	return 0;
}

/*
 * The screen once it has settled: whole frames half a second apart until
 * two in a row are the same (servers refresh on their own timers, so the
 * first frame after connecting may be older than the guest's screen).
 */
static int settle(rfbClient *cl, int want_w, int want_h);

static int capture(rfbClient *cl, const char *path, int want_w, int want_h)
{
	if (settle(cl, want_w, want_h))
		return 1;
	return write_ppm(cl, path) ? 1 : 0;
}

static int capture_settle(rfbClient *cl, int want_w, int want_h)
{
	return settle(cl, want_w, want_h);
}

static int settle(rfbClient *cl, int want_w, int want_h)
{
	uint64_t deadline = now_ms() + 60000;
	uint8_t *prev = NULL;
	size_t prev_len = 0;

	while (now_ms() < deadline) {
		size_t len;

		if (whole_frame(cl, deadline))
			break;
		len = (size_t)cl->width * cl->height * 4;
		if ((!want_w || (cl->width == want_w && cl->height == want_h)) && prev && prev_len == len &&
		    !memcmp(prev, cl->frameBuffer, len)) {
			free(prev);
			return 0;
		}
		free(prev);
		prev = malloc(len);
		if (!prev)
			return 1;
		memcpy(prev, cl->frameBuffer, len);
		prev_len = len;
		if (pump(cl, 500))
			break;
	}
	free(prev);
	fprintf(stderr, "vnc-tool: the screen did not settle%s in 60 s (it is %dx%d)\n",
		want_w ? " at that size" : "", cl->width, cl->height);
	return 1;
}

static uint32_t pixel_at(rfbClient *cl, int x, int y)
{
	const uint8_t *p = cl->frameBuffer + ((size_t)y * cl->width + x) * 4;

	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Press `keysym` and wait until pixels (x0, y) and (x1, y1) both changed; ms, or -1. */
static int64_t one_update(rfbClient *cl, uint32_t keysym, int x0, int y0, int x1, int y1)
{
	uint32_t a = pixel_at(cl, x0, y0), b = pixel_at(cl, x1, y1);
	uint64_t t0 = now_ms(), deadline = t0 + 30000;

	if (!SendKeyEvent(cl, keysym, TRUE) || !SendKeyEvent(cl, keysym, FALSE))
		return -1;
	while (pixel_at(cl, x0, y0) == a || pixel_at(cl, x1, y1) == b) {
		int n;

		if (now_ms() > deadline)
			return -1;
		/* As a viewer does: an incremental request, answered when something changed. */
		SendFramebufferUpdateRequest(cl, 0, 0, cl->width, cl->height, TRUE);
		n = WaitForMessage(cl, 20000);
		if (n < 0 || (n > 0 && !HandleRFBServerMessage(cl)))
			return -1;
	}
	return (int64_t)(now_ms() - t0);
}

static int bench(rfbClient *cl, int n)
{
	static const struct {
		const char *name;
		uint32_t keysym;
		int x0, y0, x1, y1;
	} kinds[2] = { { "full", 'f', 0, 0, 639, 479 }, { "line", 'l', 0, 240, 639, 240 } };
	uint64_t *ms = calloc((size_t)n, sizeof(*ms));

	if (!ms || n < 1 || capture_settle(cl, 640, 480))
		return 1;
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < n; i++) {
			int64_t t = one_update(cl, kinds[k].keysym, kinds[k].x0, kinds[k].y0, kinds[k].x1,
					       kinds[k].y1);

			if (t < 0) {
				fprintf(stderr, "vnc-tool: %s update %d never arrived\n", kinds[k].name, i);
				free(ms);
				return 1;
			}
			ms[i] = (uint64_t)t;
			if (pump(cl, 200)) {
				free(ms);
				return 1;
			}
		}
		qsort(ms, (size_t)n, sizeof(*ms), cmp_u64);
		printf("%s %llu %llu %llu\n", kinds[k].name, (unsigned long long)ms[(n - 1) / 2],
		       (unsigned long long)ms[0], (unsigned long long)ms[n - 1]);
	}
	free(ms);
	return 0;
}

int main(int argc, char **argv)
{
	rfbClient *cl;
	int rc, w = 0, h = 0;

	bool pointer = argc >= 5 && !strcmp(argv[2], "pointer");

	if (argc < 4 || (strcmp(argv[2], "capture") && strcmp(argv[2], "key") && strcmp(argv[2], "bench") && !pointer) ||
	    (argc == 5 && !pointer && sscanf(argv[4], "%dx%d", &w, &h) != 2)) {
		fprintf(stderr, "usage: vnc-tool HOST:PORT capture OUT.ppm [WxH] | key KEYSYM | pointer X Y [BUTTONS] | bench N\n");
		return 2;
	}
	verbose = getenv("VNC_TOOL_VERBOSE") != NULL;
	cl = connect_to(argv[1]);
	if (!cl) {
		fprintf(stderr, "vnc-tool: cannot connect to %s\n", argv[1]);
		return 1;
	}
	if (!strcmp(argv[2], "capture")) {
		rc = capture(cl, argv[3], w, h);
	} else if (!strcmp(argv[2], "bench")) {
		rc = bench(cl, atoi(argv[3]));
	} else if (pointer) {
		int x = atoi(argv[3]), y = atoi(argv[4]), buttons = argc > 5 ? atoi(argv[5]) : 0;

		rc = !(SendPointerEvent(cl, x, y, buttons) && (!buttons || SendPointerEvent(cl, x, y, 0)));
		pump(cl, 300);
	} else {
		uint32_t keysym = (uint32_t)strtoul(argv[3], NULL, 0);

		rc = !(SendKeyEvent(cl, keysym, TRUE) && SendKeyEvent(cl, keysym, FALSE));
		/* Let the server read them before the connection goes (what it says back does not matter). */
		pump(cl, 300);
	}
	rfbClientCleanup(cl);
	return rc;
}
