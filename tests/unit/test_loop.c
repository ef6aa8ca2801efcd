// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event loop: descriptor callbacks on pipes, changes to the registrations
 * from inside a dispatch, the poll timeout following the next timer, timers
 * firing at their deadlines, the device hooks, and a UART's backend served
 * through the machine's loop.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hw/core/loop.h"

#define MS 1000000ull
#define COM1 0x3f8

struct pipe_end {
	int fds[2];
	unsigned int calls;
	unsigned int revents;
	struct loop *loop;
	int id;          /* this end's registration */
	int *victim;     /* a registration the callback deletes */
	struct pipe_end *add; /* a pipe the callback registers */
};

static void make_pipe(struct pipe_end *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(pipe2(p->fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void close_pipe(struct pipe_end *p)
{
	close(p->fds[0]);
	close(p->fds[1]);
}

static void poke(struct pipe_end *p)
{
	assert_int_equal(write(p->fds[1], "x", 1), 1);
}

static void on_readable(void *opaque, int fd, unsigned int revents)
{
	struct pipe_end *p = opaque;
	char c;

	p->calls++;
	p->revents = revents;
	assert_int_equal(fd, p->fds[0]);
	while (read(fd, &c, 1) == 1)
		;
	if (p->victim)
		loop_del_fd(p->loop, *p->victim);
	if (p->add)
		p->add->id = loop_add_fd(p->loop, p->add->fds[0], LOOP_IN, on_readable, p->add);
}

/* A fake host clock for the loop's dm_clock. */
static uint64_t fake_now;

static uint64_t fake_clock(void *opaque)
{
	(void)opaque;
	return fake_now;
}

static void test_fd_callbacks(void **state)
{
	struct loop l;
	struct pipe_end a, b;

	(void)state;
	loop_init(&l, NULL);
	make_pipe(&a);
	make_pipe(&b);
	a.id = loop_add_fd(&l, a.fds[0], LOOP_IN, on_readable, &a);
	b.id = loop_add_fd(&l, b.fds[0], 0, on_readable, &b); /* registered, idle */
	assert_true(a.id > 0 && b.id > 0 && a.id != b.id);
	assert_int_equal(loop_add_fd(&l, -1, LOOP_IN, on_readable, &a), -EINVAL);
	assert_int_equal(loop_add_fd(&l, a.fds[0], LOOP_IN, NULL, &a), -EINVAL);
	/* Nothing ready: nothing called, the wait is bounded. */
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(a.calls, 0);
	poke(&a);
	poke(&b);
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_int_equal(a.calls, 1);
	assert_true(a.revents & POLLIN);
	assert_int_equal(b.calls, 0); /* readable, but waits for nothing */
	assert_int_equal(loop_mod_fd(&l, b.id, LOOP_IN), 0);
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_int_equal(b.calls, 1);
	assert_int_equal(a.calls, 1);
	/* Deleted: never called again; its id is gone. */
	loop_del_fd(&l, a.id);
	assert_int_equal(loop_mod_fd(&l, a.id, LOOP_IN), -ENOENT);
	poke(&a);
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(a.calls, 1);
	/* A hang-up is delivered even to a reader. */
	close(b.fds[1]);
	b.fds[1] = -1;
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_true(b.revents & POLLHUP);
	loop_destroy(&l);
	close(a.fds[0]);
	close(a.fds[1]);
	close(b.fds[0]);
}

static void test_changes_during_dispatch(void **state)
{
	struct loop l;
	struct pipe_end a, b, c;

	(void)state;
	loop_init(&l, NULL);
	make_pipe(&a);
	make_pipe(&b);
	make_pipe(&c);
	a.loop = b.loop = c.loop = &l;
	a.id = loop_add_fd(&l, a.fds[0], LOOP_IN, on_readable, &a);
	b.id = loop_add_fd(&l, b.fds[0], LOOP_IN, on_readable, &b);
	/* Both ready; a's callback deletes b and registers c, itself ready. */
	a.victim = &b.id;
	a.add = &c;
	poke(&a);
	poke(&b);
	poke(&c);
	assert_int_equal(loop_run_once(&l, 1000), 2);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 0); /* deleted before its turn */
	assert_int_equal(c.calls, 0); /* added: polled from the next round */
	assert_true(c.id > 0);
	a.victim = NULL;
	a.add = NULL;
	assert_int_equal(loop_run_once(&l, 1000), 1); /* b's byte is still there; b is not */
	assert_int_equal(b.calls, 0);
	assert_int_equal(c.calls, 1);
	/* A callback deleting itself. */
	c.victim = &c.id;
	poke(&c);
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_int_equal(c.calls, 2);
	poke(&c);
	loop_run_once(&l, 0);
	assert_int_equal(c.calls, 2);
	assert_int_equal(l.nr, 1); /* only a is left, once the dispatch is over */
	loop_destroy(&l);
	close_pipe(&a);
	close_pipe(&b);
	close_pipe(&c);
}

/* No cap sized for today's count: many registrations, all served. */
static void test_many_registrations(void **state)
{
	enum { N = 100 };
	struct pipe_end *p = calloc(N, sizeof(*p));
	struct loop l;

	(void)state;
	assert_non_null(p);
	loop_init(&l, NULL);
	for (unsigned int i = 0; i < N; i++) {
		make_pipe(&p[i]);
		p[i].id = loop_add_fd(&l, p[i].fds[0], LOOP_IN, on_readable, &p[i]);
		assert_true(p[i].id > 0);
		poke(&p[i]);
	}
	assert_int_equal(loop_run_once(&l, 1000), N);
	for (unsigned int i = 0; i < N; i++) {
		assert_int_equal(p[i].calls, 1);
		loop_del_fd(&l, p[i].id);
		close_pipe(&p[i]);
	}
	assert_int_equal(l.nr, 0);
	loop_destroy(&l);
	free(p);
}

struct watcher {
	struct loop *loop;
	struct pipe_end *p;
	int id;
	bool want;
	unsigned int prepares;
};

static void watch_prepare(void *opaque)
{
	struct watcher *w = opaque;

	w->prepares++;
	assert_int_equal(loop_watch(w->loop, &w->id, w->want ? w->p->fds[0] : -1, LOOP_IN,
				    on_readable, w->p), 0);
}

/* A prepare hook decides before each poll what is waited for. */
static void test_prepare_and_watch(void **state)
{
	struct loop l;
	struct pipe_end a;
	struct watcher w = { .loop = &l, .p = &a };
	int id;

	(void)state;
	loop_init(&l, NULL);
	make_pipe(&a);
	id = loop_add_prepare(&l, 0, watch_prepare, &w);
	assert_true(id > 0);
	poke(&a);
	assert_int_equal(loop_run_once(&l, 0), 0);
	assert_int_equal(w.prepares, 1);
	assert_int_equal(w.id, 0);
	assert_int_equal(a.calls, 0);
	w.want = true;
	assert_int_equal(loop_run_once(&l, 1000), 1);
	assert_int_equal(a.calls, 1);
	assert_true(w.id > 0);
	/* Same descriptor: the registration is kept, not re-made. */
	{
		int before = w.id;

		loop_run_once(&l, 0);
		assert_int_equal(w.id, before);
	}
	w.want = false;
	poke(&a);
	loop_run_once(&l, 0);
	assert_int_equal(w.id, 0);
	assert_int_equal(a.calls, 1);
	loop_del_prepare(&l, id);
	loop_run_once(&l, 0);
	assert_int_equal(w.prepares, 4);
	assert_int_equal(l.nr, 0);
	loop_destroy(&l);
	close_pipe(&a);
}

static unsigned int fired;
static uint64_t fired_at[4];

static void on_timer(void *opaque)
{
	struct dm_clock *clock = opaque;

	if (fired < 4)
		fired_at[fired] = clock_now(clock);
	fired++;
}

static void test_timeout_follows_deadline(void **state)
{
	struct dm_clock clock;
	struct dm_timer t1, t2;
	struct loop l;

	(void)state;
	fake_now = 1000 * MS;
	clock_init(&clock, fake_clock, NULL);
	loop_init(&l, &clock);
	timer_init(&t1, &clock, on_timer, &clock);
	timer_init(&t2, &clock, on_timer, &clock);
	/* No timer: the caller's bound. */
	assert_int_equal(loop_timeout_ms(&l, 10), 10);
	assert_int_equal(loop_timeout_ms(&l, -1), -1);
	/* The next deadline, rounded up to whole milliseconds. */
	timer_arm(&t1, clock_now(&clock) + 35 * MS / 10);
	assert_int_equal(loop_timeout_ms(&l, 1000), 4);
	assert_int_equal(loop_timeout_ms(&l, -1), 4);
	assert_int_equal(loop_timeout_ms(&l, 2), 2);
	timer_arm(&t2, clock_now(&clock) + 1 * MS);
	assert_int_equal(loop_timeout_ms(&l, 1000), 1);
	timer_cancel(&t2);
	assert_int_equal(loop_timeout_ms(&l, 1000), 4);
	fake_now += 4 * MS;
	assert_int_equal(loop_timeout_ms(&l, 1000), 0);
	/* A stopped clock reaches no deadline: only the bound. */
	fake_now -= 4 * MS;
	clock_stop(&clock);
	assert_int_equal(loop_timeout_ms(&l, 1000), 1000);
	clock_start(&clock);
	assert_int_equal(loop_timeout_ms(&l, 1000), 4);
	timer_cancel(&t1);
	loop_destroy(&l);
}

/* Fake time: each timer runs in the iteration its deadline is reached, not before. */
static void test_timers_fire_at_deadlines(void **state)
{
	struct dm_clock clock;
	struct dm_timer t1, t2;
	struct loop l;
	uint64_t start;

	(void)state;
	fake_now = 5000 * MS;
	clock_init(&clock, fake_clock, NULL);
	loop_init(&l, &clock);
	timer_init(&t1, &clock, on_timer, &clock);
	timer_init(&t2, &clock, on_timer, &clock);
	fired = 0;
	start = clock_now(&clock);
	timer_arm(&t1, start + 3 * MS);
	timer_arm(&t2, start + 7 * MS);
	for (unsigned int ms = 0; ms <= 8; ms++) {
		loop_run_once(&l, 0);
		assert_int_equal(fired, ms >= 7 ? 2 : ms >= 3 ? 1 : 0);
		fake_now += MS;
	}
	assert_int_equal(fired_at[0], start + 3 * MS);
	assert_int_equal(fired_at[1], start + 7 * MS);
	loop_destroy(&l);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Host time: a long max_wait does not delay a timer, and a tick does not hurry it. */
static void test_real_wait_ends_at_deadline(void **state)
{
	struct dm_clock clock;
	struct dm_timer t;
	struct loop l;
	uint64_t t0, waited;

	(void)state;
	clock_init(&clock, NULL, NULL);
	loop_init(&l, &clock);
	timer_init(&t, &clock, on_timer, &clock);
	fired = 0;
	t0 = mono_ms();
	timer_arm(&t, clock_now(&clock) + 30 * MS);
	while (!fired && mono_ms() - t0 < 5000)
		loop_run_once(&l, 2000);
	waited = mono_ms() - t0;
	assert_int_equal(fired, 1);
	assert_true(waited >= 30);
	assert_true(waited < 1000);
	assert_true(fired_at[0] >= 30 * MS);
	loop_destroy(&l);
}

/*
 * Another thread (a KVM vCPU) arms a timer, under the lock the device hooks
 * take, while the loop sleeps with a long bound: the loop wakes and the
 * timer fires at its deadline, not at the bound.
 */
struct armer {
	pthread_mutex_t lock;
	struct dm_clock *clock;
	struct dm_timer *timer;
	struct loop *loop;
	bool wake_only;
};

static bool lock_enter(void *opaque)
{
	pthread_mutex_lock(&((struct armer *)opaque)->lock);
	return true;
}

static void lock_leave(void *opaque)
{
	pthread_mutex_unlock(&((struct armer *)opaque)->lock);
}

static void *arm_later(void *opaque)
{
	struct armer *a = opaque;
	struct timespec pause = { .tv_nsec = 50 * 1000000 };

	nanosleep(&pause, NULL);
	if (a->wake_only) {
		loop_wake(a->loop);
		return NULL;
	}
	pthread_mutex_lock(&a->lock);
	timer_arm(a->timer, clock_now(a->clock) + 20 * MS);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void test_wake_from_another_thread(void **state)
{
	struct armer a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct dm_clock clock;
	struct dm_timer t;
	struct loop l;
	pthread_t thread;
	uint64_t t0, waited;

	(void)state;
	clock_init(&clock, NULL, NULL);
	loop_init(&l, &clock);
	loop_set_device_hooks(&l, lock_enter, lock_leave, &a);
	timer_init(&t, &clock, on_timer, &clock);
	a.clock = &clock;
	a.timer = &t;
	a.loop = &l;
	fired = 0;
	t0 = mono_ms();
	assert_int_equal(pthread_create(&thread, NULL, arm_later, &a), 0);
	/* Without the wake-up each iteration would sleep the whole 10 s bound. */
	while (!fired && mono_ms() - t0 < 30000)
		assert_true(loop_run_once(&l, 10000) >= 0);
	waited = mono_ms() - t0;
	pthread_join(thread, NULL);
	assert_int_equal(fired, 1);
	assert_true(waited >= 70);
	assert_true(waited < 5000);

	/* loop_wake alone: the iteration ends, with nothing ready. */
	a.wake_only = true;
	t0 = mono_ms();
	assert_int_equal(pthread_create(&thread, NULL, arm_later, &a), 0);
	assert_int_equal(loop_run_once(&l, 10000), 0);
	waited = mono_ms() - t0;
	pthread_join(thread, NULL);
	assert_true(waited < 5000);
	/* A wake-up already drained: the next iteration waits for its bound. */
	t0 = mono_ms();
	assert_int_equal(loop_run_once(&l, 30), 0);
	assert_true(mono_ms() - t0 >= 30);
	loop_destroy(&l);
}

/* The device hooks: device entries and timers run between them, or not at all. */
struct hooks {
	bool allow;
	bool inside;
	unsigned int enters, leaves;
};

static bool hook_enter(void *opaque)
{
	struct hooks *h = opaque;

	h->enters++;
	if (!h->allow)
		return false;
	h->inside = true;
	return true;
}

static void hook_leave(void *opaque)
{
	struct hooks *h = opaque;

	h->leaves++;
	h->inside = false;
}

static struct hooks *hooks_seen;
static unsigned int device_calls, control_calls, device_prepares;
static bool device_outside, control_inside;

static void device_cb(void *opaque, int fd, unsigned int revents)
{
	char c;

	(void)opaque, (void)revents;
	device_calls++;
	device_outside |= !hooks_seen->inside;
	while (read(fd, &c, 1) == 1)
		;
}

static void control_cb(void *opaque, int fd, unsigned int revents)
{
	char c;

	(void)opaque, (void)revents;
	control_calls++;
	control_inside |= hooks_seen->inside;
	while (read(fd, &c, 1) == 1)
		;
}

static void device_prepare(void *opaque)
{
	(void)opaque;
	device_prepares++;
	device_outside |= !hooks_seen->inside;
}

static void device_timer(void *opaque)
{
	(void)opaque;
	fired++;
	device_outside |= !hooks_seen->inside;
}

static void test_device_hooks(void **state)
{
	struct hooks h = { .allow = false };
	struct dm_clock clock;
	struct dm_timer t;
	struct pipe_end dev, ctl;
	struct loop l;

	(void)state;
	hooks_seen = &h;
	device_calls = control_calls = device_prepares = fired = 0;
	device_outside = control_inside = false;
	fake_now = 1000 * MS;
	clock_init(&clock, fake_clock, NULL);
	loop_init(&l, &clock);
	loop_set_device_hooks(&l, hook_enter, hook_leave, &h);
	make_pipe(&dev);
	make_pipe(&ctl);
	assert_true(loop_add_fd(&l, dev.fds[0], LOOP_IN | LOOP_DEVICE, device_cb, NULL) > 0);
	assert_true(loop_add_fd(&l, ctl.fds[0], LOOP_IN, control_cb, NULL) > 0);
	assert_true(loop_add_prepare(&l, LOOP_DEVICE, device_prepare, NULL) > 0);
	timer_init(&t, &clock, device_timer, NULL);
	timer_arm(&t, clock_now(&clock) + MS);
	fake_now += 2 * MS;
	poke(&dev);
	poke(&ctl);
	/* Stopped: the device side is not even polled; the control side is served. */
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(control_calls, 1);
	assert_int_equal(device_calls, 0);
	assert_int_equal(device_prepares, 0);
	assert_int_equal(fired, 0);
	assert_int_equal(h.enters, 2);
	assert_int_equal(h.leaves, 0);
	/* Running: all of it, inside the hooks, entered and left in pairs. */
	h.allow = true;
	assert_int_equal(loop_run_once(&l, 0), 1);
	assert_int_equal(device_calls, 1);
	assert_int_equal(device_prepares, 1);
	assert_int_equal(fired, 1);
	assert_int_equal(h.enters, 4);
	assert_int_equal(h.leaves, 2);
	assert_false(device_outside);
	assert_false(control_inside);
	loop_destroy(&l);
	close_pipe(&dev);
	close_pipe(&ctl);
}

static void reentrant_cb(void *opaque, int fd, unsigned int revents)
{
	char c;

	(void)revents;
	assert_int_equal(loop_run_once(opaque, 0), -EBUSY);
	while (read(fd, &c, 1) == 1)
		;
}

static void test_not_reentrant(void **state)
{
	struct loop l;
	struct pipe_end a;

	(void)state;
	loop_init(&l, NULL);
	make_pipe(&a);
	assert_true(loop_add_fd(&l, a.fds[0], LOOP_IN, reentrant_cb, &l) > 0);
	poke(&a);
	assert_int_equal(loop_run_once(&l, 1000), 1);
	loop_destroy(&l);
	close_pipe(&a);
}

/* ---- a UART's backend served by the machine's loop ---- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hvmdm-loop-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct tm_ctx *uart_with_client(const char *name, int *client)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char spec[160];
	struct tm_ctx *t;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", tmpdir, name);
	snprintf(spec, sizeof(spec), "unix:%s,server=on,wait=off", sa.sun_path);
	t = tm_new(PROFILE_XENFV, 1, spec);
	*client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(*client >= 0);
	assert_int_equal(connect(*client, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The loop accepts the client as soon as it knocks. */
	for (int i = 0; i < 1000 && t->m.serial_backend[0].in_fd < 0; i++)
		loop_run_once(&t->m.loop, 1);
	assert_true(t->m.serial_backend[0].in_fd >= 0);
	return t;
}

/*
 * Input waits in the backend while the receiver is full and is not even
 * polled (a full FIFO must not keep the loop awake); it arrives as soon as
 * the guest makes room, byte for byte.
 */
static void test_uart_input_follows_room(void **state)
{
	struct tm_ctx *t;
	int client;

	(void)state;
	t = uart_with_client("in.sock", &client);
	assert_int_equal(write(client, "abc", 3), 3);
	/* FIFOs off: room for one byte. */
	for (int i = 0; i < 1000 && !(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR); i++)
		loop_run_once(&t->m.loop, 1);
	assert_int_equal(uart_can_receive(&t->m.uart[0]), 0);
	assert_int_equal(loop_run_once(&t->m.loop, 0), 0); /* nothing polled */
	assert_int_equal(loop_run_once(&t->m.loop, 0), 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_OE, 0);
	for (const char *c = "abc"; *c; c++) {
		for (int i = 0; i < 1000 && !(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR); i++)
			loop_run_once(&t->m.loop, 1);
		assert_int_equal(inp(t, COM1 + UART_RBR, 1), *c);
	}
	close(client);
	tm_free(t);
}

/*
 * Output the peer cannot take stays in the UART (THRE clear) and goes out
 * when the backend is writable again, raising THRI then, as the 10 ms
 * service did.
 */
static void test_uart_output_drains_when_writable(void **state)
{
	struct tm_ctx *t;
	unsigned long sent = 0, got = 0;
	char buf[4096];
	int client;

	(void)state;
	t = uart_with_client("out.sock", &client);
	outp(t, COM1 + UART_IER, 1, UART_IER_THRI);
	while ((inp(t, COM1 + UART_LSR, 1) & UART_LSR_THRE) && sent < 64ul << 20) {
		outp(t, COM1 + UART_THR, 1, 'a' + sent % 26);
		sent++;
	}
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_THRE, 0);
	(void)inp(t, COM1 + UART_IIR, 1);
	assert_false(t->acc.isa_irq[4]);
	/* Still full: the loop leaves it be. */
	loop_run_once(&t->m.loop, 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_THRE, 0);
	/* The peer reads everything; the held-back byte follows. */
	for (int i = 0; i < 5000 && got < sent; i++) {
		struct pollfd p = { .fd = client, .events = POLLIN };
		ssize_t n;

		loop_run_once(&t->m.loop, 0);
		if (poll(&p, 1, 1) != 1)
			continue;
		n = read(client, buf, sizeof(buf));
		assert_true(n > 0);
		for (ssize_t k = 0; k < n; k++, got++)
			assert_int_equal(buf[k], 'a' + got % 26);
	}
	assert_int_equal(got, sent);
	assert_true(inp(t, COM1 + UART_LSR, 1) & UART_LSR_THRE);
	assert_true(t->acc.isa_irq[4]);
	close(client);
	tm_free(t);
}

/* A pty nobody opened reports POLLHUP for ever: not watched until a reader comes. */
static void test_pty_without_reader_not_watched(void **state)
{
	struct tm_ctx *t = tm_new(PROFILE_XENFV, 1, "pty");
	int slave;

	(void)state;
	assert_int_equal(loop_run_once(&t->m.loop, 0), 0);
	assert_int_equal(loop_run_once(&t->m.loop, 0), 0);
	slave = open(t->m.serial_backend[0].path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	assert_int_equal(write(slave, "p", 1), 1);
	for (int i = 0; i < 1000 && !(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR); i++)
		loop_run_once(&t->m.loop, 1);
	assert_int_equal(inp(t, COM1 + UART_RBR, 1), 'p');
	close(slave);
	tm_free(t);
}

/* stdin at its end is readable for ever: the backend stops watching it. */
static void test_stdio_eof_not_watched(void **state)
{
	int saved = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct tm_ctx *t;

	(void)state;
	assert_true(saved >= 0 && null >= 0);
	assert_int_equal(dup2(null, STDIN_FILENO), STDIN_FILENO);
	t = tm_new(PROFILE_XENFV, 1, "stdio");
	assert_int_equal(loop_run_once(&t->m.loop, 0), 1);
	assert_true(t->m.serial_backend[0].in_eof);
	assert_int_equal(loop_run_once(&t->m.loop, 0), 0);
	assert_int_equal(inp(t, COM1 + UART_LSR, 1) & UART_LSR_DR, 0);
	tm_free(t);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	close(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_callbacks),
		cmocka_unit_test(test_changes_during_dispatch),
		cmocka_unit_test(test_many_registrations),
		cmocka_unit_test(test_prepare_and_watch),
		cmocka_unit_test(test_timeout_follows_deadline),
		cmocka_unit_test(test_timers_fire_at_deadlines),
		cmocka_unit_test(test_real_wait_ends_at_deadline),
		cmocka_unit_test(test_wake_from_another_thread),
		cmocka_unit_test(test_device_hooks),
		cmocka_unit_test(test_not_reentrant),
		cmocka_unit_test(test_uart_input_follows_room),
		cmocka_unit_test(test_uart_output_drains_when_writable),
		cmocka_unit_test(test_pty_without_reader_not_watched),
		cmocka_unit_test(test_stdio_eof_not_watched),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("loop", tests, make_tmpdir, remove_tmpdir);
}
