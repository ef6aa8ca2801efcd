// SPDX-License-Identifier: GPL-2.0-only
/* The VNC server on LibVNCServer (see vnc.h). */
#define _GNU_SOURCE
#include "vnc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rfb/rfb.h>

#include "hw/core/log.h"

/* How long the VNC thread waits for its sockets before looking at the pending picture. */
#define VNC_POLL_US 10000

/* Client input on its way from the VNC thread to the loop's. */
#define VNC_EVENT_QUEUE 1024

struct vnc_event {
	uint8_t kind; /* 0 key, 1 pointer */
	bool down;
	uint32_t keysym;
	int x, y;
	unsigned int buttons;
};

struct vnc_server {
	struct vnc_config cfg;
	rfbScreenInfoPtr screen;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;       /* everything below, between the two threads */
	bool stop;
	/* The picture handed over by vnc_publish, in LibVNCServer's pixel order. */
	uint32_t *pending;
	uint32_t width, height;
	uint8_t *pending_rows;     /* rows changed since the VNC thread took them */
	bool pending_any;
	bool resized;
	uint32_t *frame;           /* LibVNCServer's framebuffer (VNC thread only) */
	/* Client input for the loop thread. */
	struct vnc_event events[VNC_EVENT_QUEUE];
	unsigned int ev_head, ev_count;
	bool ev_dropped;
	int event_fd;
	int event_id;
	struct loop *loop;
	const struct vnc_input_ops *ops;
	void *opaque;
	/* VNC authentication: the password set over QMP (password=on), NULL-terminated list for LibVNCServer. */
	char password[9];
	bool password_set;
	char *password_list[2];
	unsigned int port;
	unsigned int nr_clients;
};

/* ------------------------------------------------------------ command line */

int vnc_parse(const char *arg, struct vnc_config *cfg, bool *enabled, char *err, size_t errlen)
{
	char buf[256], *opt, *save = NULL, *colon, *end;
	unsigned long n;

	memset(cfg, 0, sizeof(*cfg));
	cfg->to = -1;
	*enabled = false;
	if (!strcmp(arg, "none"))
		return 0;
	if (strlen(arg) >= sizeof(buf)) {
		snprintf(err, errlen, "-vnc %.40s...: too long", arg);
		return -1;
	}
	strcpy(buf, arg);
	opt = strtok_r(buf, ",", &save);
	colon = opt ? strrchr(opt, ':') : NULL;
	if (!colon || opt[0] == '[') {
		snprintf(err, errlen, "-vnc %s: expected HOST:DISPLAY with an IPv4 HOST (vnclisten= in the xl config)", arg);
		return -1;
	}
	*colon = '\0';
	errno = 0;
	n = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || errno || n > 59635) {
		snprintf(err, errlen, "-vnc %s: the display number is not one (vncdisplay= in the xl config)", arg);
		return -1;
	}
	cfg->display = (unsigned int)n;
	if (strlen(opt) >= sizeof(cfg->host)) {
		snprintf(err, errlen, "-vnc %s: host name too long", arg);
		return -1;
	}
	strcpy(cfg->host, opt[0] ? opt : "0.0.0.0");
	while ((opt = strtok_r(NULL, ",", &save))) {
		if (!strcmp(opt, "password=on") || !strcmp(opt, "password")) {
			cfg->password = true;
		} else if (!strcmp(opt, "password=off")) {
			cfg->password = false;
		} else if (!strncmp(opt, "to=", 3)) {
			errno = 0;
			n = strtoul(opt + 3, &end, 10);
			if (*end || end == opt + 3 || errno || n > 59635 || n < cfg->display) {
				snprintf(err, errlen, "-vnc %s: to=%s is no display at or after %u", arg, opt + 3,
					 cfg->display);
				return -1;
			}
			cfg->to = (int)n;
		} else {
			snprintf(err, errlen, "-vnc %s: option %s is not supported (hvmdm takes HOST:N, to=, password=on)",
				 arg, opt);
			return -1;
		}
	}
	*enabled = true;
	return 0;
}

/* ------------------------------------------------------------ LibVNCServer hooks */

/* LibVNCServer's messages go to our log, at debug level (a client's doing). */
static void rfb_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void rfb_log(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	if (n && msg[n - 1] == '\n')
		msg[n - 1] = '\0';
	log_debug("vnc", "%s", msg);
}

static void queue_event(struct vnc_server *v, const struct vnc_event *e)
{
	uint64_t one = 1;
	ssize_t rc;

	pthread_mutex_lock(&v->lock);
	if (v->ev_count == VNC_EVENT_QUEUE) {
		v->ev_dropped = true; /* a client faster than the guest: the oldest stay */
	} else {
		v->events[(v->ev_head + v->ev_count) % VNC_EVENT_QUEUE] = *e;
		v->ev_count++;
	}
	pthread_mutex_unlock(&v->lock);
	rc = write(v->event_fd, &one, sizeof(one));
	(void)rc;
}

static void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;

	queue_event(v, &(struct vnc_event){ .kind = 0, .down = down, .keysym = keysym });
}

static void on_pointer(int buttons, int x, int y, rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;

	/* The client may say any 16-bit position: the guest sees one on the screen. */
	if (x >= cl->screen->width)
		x = cl->screen->width - 1;
	if (y >= cl->screen->height)
		y = cl->screen->height - 1;
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	queue_event(v, &(struct vnc_event){ .kind = 1, .x = x, .y = y, .buttons = (unsigned int)buttons });
	rfbDefaultPtrAddEvent(buttons, x, y, cl);
}

/* Cut text from a client is not passed to the guest (as QEMU's VNC with no clipboard agent). */
static void on_cut_text(char *str, int len, rfbClientPtr cl)
{
	(void)str, (void)len, (void)cl;
}

static void on_client_gone(rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;

	pthread_mutex_lock(&v->lock);
	if (v->nr_clients)
		v->nr_clients--;
	pthread_mutex_unlock(&v->lock);
}

static enum rfbNewClientAction on_new_client(rfbClientPtr cl)
{
	struct vnc_server *v = cl->screen->screenData;

	cl->clientGoneHook = on_client_gone;
	pthread_mutex_lock(&v->lock);
	v->nr_clients++;
	pthread_mutex_unlock(&v->lock);
	return RFB_CLIENT_ACCEPT;
}

/* VNC authentication against the password QMP set; none set yet: nobody gets in (as QEMU). */
static rfbBool on_password(rfbClientPtr cl, const char *response, int len)
{
	struct vnc_server *v = cl->screen->screenData;
	rfbBool ok = FALSE;

	pthread_mutex_lock(&v->lock);
	if (v->password_set) {
		v->password_list[0] = v->password;
		v->password_list[1] = NULL;
		cl->screen->authPasswdData = v->password_list;
		ok = rfbCheckPasswordByList(cl, response, len);
	}
	pthread_mutex_unlock(&v->lock);
	return ok;
}

/* ------------------------------------------------------------ the VNC thread */

/* Our surface is 0x00RRGGBB; LibVNCServer's default 32-bit format has red in the low byte. */
static uint32_t to_rfb(uint32_t p)
{
	return ((p >> 16) & 0xff) | (p & 0xff00) | ((p & 0xff) << 16);
}

/* Move the pending picture into LibVNCServer's framebuffer (under v->lock). */
static void take_pending(struct vnc_server *v)
{
	uint32_t w = v->width, h = v->height;

	if (v->resized) {
		uint32_t *frame = malloc((size_t)w * h * 4);

		if (!frame)
			return; /* try again next time round */
		memcpy(frame, v->pending, (size_t)w * h * 4);
		rfbNewFramebuffer(v->screen, (char *)frame, (int)w, (int)h, 8, 3, 4);
		free(v->frame);
		v->frame = frame;
		v->resized = false;
		memset(v->pending_rows, 0, h);
		v->pending_any = false;
		return;
	}
	for (uint32_t y = 0; y < h;) {
		uint32_t y0;

		if (!v->pending_rows[y]) {
			y++;
			continue;
		}
		for (y0 = y; y < h && v->pending_rows[y]; y++) {
			memcpy(v->frame + (size_t)y * w, v->pending + (size_t)y * w, (size_t)w * 4);
			v->pending_rows[y] = 0;
		}
		rfbMarkRectAsModified(v->screen, 0, (int)y0, (int)w, (int)y);
	}
	v->pending_any = false;
}

static void *vnc_thread(void *opaque)
{
	struct vnc_server *v = opaque;

	for (;;) {
		bool stop;

		pthread_mutex_lock(&v->lock);
		stop = v->stop;
		if (!stop && v->pending_any)
			take_pending(v);
		pthread_mutex_unlock(&v->lock);
		if (stop)
			break;
		rfbProcessEvents(v->screen, VNC_POLL_US);
	}
	return NULL;
}

/* ------------------------------------------------------------ the loop side */

static void on_events(void *opaque, int fd, unsigned int revents)
{
	struct vnc_server *v = opaque;
	struct vnc_event batch[64];
	unsigned int n;
	uint64_t count;
	ssize_t rc = read(fd, &count, sizeof(count));

	(void)rc, (void)revents;
	do {
		pthread_mutex_lock(&v->lock);
		for (n = 0; n < 64 && v->ev_count; n++) {
			batch[n] = v->events[v->ev_head];
			v->ev_head = (v->ev_head + 1) % VNC_EVENT_QUEUE;
			v->ev_count--;
		}
		if (v->ev_dropped) {
			v->ev_dropped = false;
			log_warn("vnc", "input events dropped: the queue of %u was full", VNC_EVENT_QUEUE);
		}
		pthread_mutex_unlock(&v->lock);
		for (unsigned int i = 0; i < n; i++) {
			if (batch[i].kind == 0 && v->ops->key) {
				log_debug("vnc", "key %#x %s", batch[i].keysym, batch[i].down ? "down" : "up");
				v->ops->key(v->opaque, batch[i].keysym, batch[i].down);
			}
			else if (batch[i].kind == 1 && v->ops->pointer)
				v->ops->pointer(v->opaque, batch[i].x, batch[i].y, batch[i].buttons);
		}
	} while (n == 64);
}

void vnc_publish(struct vnc_server *v, const struct display_surface *s)
{
	if (!s->pixels || !s->width || !s->height)
		return;
	pthread_mutex_lock(&v->lock);
	if (s->width != v->width || s->height != v->height || !v->pending) {
		uint32_t *pending = malloc((size_t)s->width * s->height * 4);
		uint8_t *rows = calloc(1, s->height);

		if (!pending || !rows) {
			free(pending);
			free(rows);
			pthread_mutex_unlock(&v->lock);
			log_warn("vnc", "out of memory for a %ux%u picture", s->width, s->height);
			return;
		}
		free(v->pending);
		free(v->pending_rows);
		v->pending = pending;
		v->pending_rows = rows;
		v->width = s->width;
		v->height = s->height;
		v->resized = true;
	}
	for (uint32_t y = 0; y < s->height; y++) {
		const uint32_t *src = s->pixels + (size_t)y * s->width;
		uint32_t *dst = v->pending + (size_t)y * s->width;

		if (!v->resized && !s->row_dirty[y])
			continue;
		for (uint32_t x = 0; x < s->width; x++)
			dst[x] = to_rfb(src[x]);
		v->pending_rows[y] = 1;
	}
	v->pending_any = true;
	pthread_mutex_unlock(&v->lock);
}

int vnc_set_password(struct vnc_server *v, const char *password)
{
	if (!v->cfg.password)
		return -EPERM; /* as QEMU: only a display started with password=on takes one */
	pthread_mutex_lock(&v->lock);
	memset(v->password, 0, sizeof(v->password));
	strncpy(v->password, password, 8); /* VNC authentication uses 8 characters at most */
	v->password_set = true;
	pthread_mutex_unlock(&v->lock);
	return 0;
}

void vnc_address(const struct vnc_server *v, char *host, size_t hostlen, unsigned int *port)
{
	snprintf(host, hostlen, "%s", v->cfg.host);
	*port = v->port;
}

unsigned int vnc_clients(struct vnc_server *v)
{
	unsigned int n;

	pthread_mutex_lock(&v->lock);
	n = v->nr_clients;
	pthread_mutex_unlock(&v->lock);
	return n;
}

static int resolve_ipv4(const char *host, in_addr_t *addr)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;

	if (getaddrinfo(host, NULL, &hints, &res))
		return -1;
	*addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr;
	freeaddrinfo(res);
	return 0;
}

/* Listen on the first free port of the range; LibVNCServer binds, we pick the port. */
static int listen_in_range(struct vnc_server *v, char *err, size_t errlen)
{
	int last = v->cfg.to >= 0 ? v->cfg.to : (int)v->cfg.display;

	for (int d = (int)v->cfg.display; d <= last; d++) {
		rfbScreenInfoPtr s = v->screen;

		s->port = 5900 + d;
		s->ipv6port = 5900 + d;
		s->socketState = RFB_SOCKET_INIT;
		rfbInitServer(s);
		/* Only the address asked for: LibVNCServer's IPv6 socket listens on every address. */
		if (s->listen6Sock >= 0) {
			FD_CLR(s->listen6Sock, &s->allFds);
			close(s->listen6Sock);
			s->listen6Sock = -1;
		}
		if (s->listenSock >= 0) {
			v->port = (unsigned int)s->port;
			return 0;
		}
		rfbShutdownServer(s, TRUE);
	}
	snprintf(err, errlen, "-vnc %s:%u: no free port in 5900+%u..%d (vncdisplay=/vncunused= in the xl config)",
		 v->cfg.host, v->cfg.display, v->cfg.display, last);
	return -1;
}

int vnc_start(struct vnc_server **out, const struct vnc_config *cfg, struct loop *loop,
	      const struct vnc_input_ops *ops, void *opaque, char *err, size_t errlen)
{
	struct vnc_server *v = calloc(1, sizeof(*v));
	int argc = 0;
	in_addr_t iface;

	*out = NULL;
	if (!v) {
		snprintf(err, errlen, "vnc: out of memory");
		return -1;
	}
	v->cfg = *cfg;
	v->loop = loop;
	v->ops = ops;
	v->opaque = opaque;
	v->event_fd = -1;
	pthread_mutex_init(&v->lock, NULL);
	if (resolve_ipv4(cfg->host, &iface)) {
		snprintf(err, errlen, "-vnc %s: not an IPv4 address or name (vnclisten= in the xl config)", cfg->host);
		goto fail;
	}
	rfbLog = rfb_log;
	rfbErr = rfb_log;
	/* A start picture until the card draws: 640x480 black. */
	v->frame = calloc(640 * 480, 4);
	v->screen = v->frame ? rfbGetScreen(&argc, NULL, 640, 480, 8, 3, 4) : NULL;
	if (!v->screen) {
		snprintf(err, errlen, "vnc: out of memory");
		goto fail;
	}
	v->screen->frameBuffer = (char *)v->frame;
	v->screen->screenData = v;
	v->screen->desktopName = "hvmdm";
	v->screen->listenInterface = iface;
	/* LibVNCServer opens an IPv6 socket too, which listen_in_range closes: keep it on loopback meanwhile. */
	v->screen->listen6Interface = "::1";
	v->screen->alwaysShared = TRUE; /* several clients at once, as QEMU */
	v->screen->kbdAddEvent = on_key;
	v->screen->ptrAddEvent = on_pointer;
	v->screen->setXCutText = on_cut_text;
	v->screen->newClientHook = on_new_client;
	v->screen->cursor = NULL; /* the guest draws its own pointer */
	if (cfg->password) {
		/* VNC authentication is offered while authPasswdData is set; on_password decides. */
		v->password_list[0] = NULL;
		v->screen->authPasswdData = v->password_list;
		v->screen->passwordCheck = on_password;
	}
	if (listen_in_range(v, err, errlen))
		goto fail;
	v->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	v->event_id = v->event_fd < 0 ? -1 : loop_add_fd(loop, v->event_fd, LOOP_IN | LOOP_DEVICE, on_events, v);
	if (v->event_id < 0) {
		snprintf(err, errlen, "vnc: cannot watch its input events");
		goto fail;
	}
	if (pthread_create(&v->thread, NULL, vnc_thread, v)) {
		snprintf(err, errlen, "vnc: cannot start its thread");
		goto fail;
	}
	v->thread_started = true;
	*out = v;
	return 0;
fail:
	vnc_stop(v);
	return -1;
}

void vnc_stop(struct vnc_server *v)
{
	if (!v)
		return;
	if (v->thread_started) {
		pthread_mutex_lock(&v->lock);
		v->stop = true;
		pthread_mutex_unlock(&v->lock);
		pthread_join(v->thread, NULL);
	}
	if (v->event_id > 0)
		loop_del_fd(v->loop, v->event_id);
	if (v->event_fd >= 0)
		close(v->event_fd);
	if (v->screen) {
		rfbShutdownServer(v->screen, TRUE);
		rfbScreenCleanup(v->screen);
	}
	free(v->frame);
	free(v->pending);
	free(v->pending_rows);
	pthread_mutex_destroy(&v->lock);
	free(v);
}
