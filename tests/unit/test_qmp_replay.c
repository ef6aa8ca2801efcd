// SPDX-License-Identifier: GPL-2.0-only
/*
 * libxl's QMP conversation replayed byte for byte: the strace of libxl 4.17
 * talking to the stock qemu-xen through create, save, restore and destroy
 * (tests/xen-captures/, from reference/xen-captures/) is read, every byte
 * libxl wrote is written to hvmdm's QMP server exactly as captured -- the
 * descriptor libxl passed with SCM_RIGHTS on the first byte of add-fd
 * included -- and every answer hvmdm gives is compared with QEMU's: the same
 * ids, members and values, except what differs between any two runs
 * (timestamps, QEMU's version and thread ids, the add-fd descriptor
 * number, socket directories). The server drives a Xen-like target: a
 * xenfv machine whose "paused" is the ioreq server being off, as in
 * vm/main.c; only the hypervisor is missing.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "../../vm/qmp.h"

#define CAPTURE "tests/xen-captures/qmp-conversation-create-save-restore-destroy.txt"
#define CAPTURE_DIR "/var/run/xen/"

struct fake_dm {
	struct tm_ctx *t;
	bool paused;
	bool dirty_log;
};

static bool fake_paused(void *t)
{
	return ((struct fake_dm *)t)->paused;
}

static int fake_pause(void *t, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct fake_dm *)t)->paused = true;
	return 0;
}

static int fake_resume(void *t, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct fake_dm *)t)->paused = false;
	return 0;
}

static struct machine *fake_machine(void *t)
{
	return &((struct fake_dm *)t)->t->m;
}

static void fake_quit(void *t)
{
	(void)t;
}

static unsigned int dirty_log_on, dirty_log_off;

static void fake_dirty_log(void *t, bool on)
{
	((struct fake_dm *)t)->dirty_log = on;
	if (on)
		dirty_log_on++;
	else
		dirty_log_off++;
}

static const struct qmp_target fake_target = {
	.paused = fake_paused,
	.pause = fake_pause,
	.resume = fake_resume,
	.machine = fake_machine,
	.quit = fake_quit,
	.set_dirty_log = fake_dirty_log,
};

/* One syscall of the capture on a QMP connection. */
enum step_kind { STEP_CONNECT, STEP_WRITE, STEP_SENDFD, STEP_READ };

struct step {
	enum step_kind kind;
	char path[108];   /* STEP_CONNECT: the socket, as captured */
	char *data;       /* STEP_WRITE/SENDFD: bytes libxl sent; STEP_READ: what QEMU sent */
	size_t len;
};

/* strace's quoting: \" \\ \r \n \t \0 and octal \NNN. */
static size_t unquote(const char *s, const char **end, char *out)
{
	size_t n = 0;

	assert_int_equal(*s, '"');
	for (s++; *s && *s != '"'; s++) {
		char c = *s;

		if (c == '\\') {
			s++;
			switch (*s) {
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			default:
				if (*s >= '0' && *s <= '7') {
					unsigned int v = 0, k = 0;

					while (k < 3 && *s >= '0' && *s <= '7')
						v = v * 8 + (unsigned int)(*s++ - '0'), k++;
					s--;
					c = (char)v;
				} else {
					fail_msg("capture: unknown escape \\%c", *s);
				}
			}
		}
		out[n++] = c;
	}
	assert_int_equal(*s, '"');
	*end = s + 1;
	return n;
}

/* The QMP steps of the capture in order; fds are followed through connect(). */
static unsigned int load_capture(struct step *steps, unsigned int max)
{
	FILE *f = fopen(CAPTURE, "r");
	char line[8192];
	bool qmp_fd[64] = { false };
	unsigned int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *call = strchr(line, ' ');
		int fd;
		const char *q, *end;
		struct step *st;

		if (!call || sscanf(call + 1, "%*[a-z](%d,", &fd) != 1 || fd < 0 || fd >= 64)
			continue;
		call++;
		if (!strncmp(call, "connect(", 8)) {
			const char *p = strstr(call, "sun_path=\"");

			qmp_fd[fd] = p && strstr(p, "qmp-libxl-");
			if (!qmp_fd[fd])
				continue;
			st = &steps[n++];
			st->kind = STEP_CONNECT;
			p += strlen("sun_path=\"");
			snprintf(st->path, sizeof(st->path), "%.*s", (int)(strchr(p, '"') - p), p);
			continue;
		}
		if (!qmp_fd[fd])
			continue;
		assert_true(n < max);
		st = &steps[n];
		if (!strncmp(call, "read(", 5) || !strncmp(call, "write(", 6)) {
			q = strchr(call, '"');
			st->kind = call[0] == 'r' ? STEP_READ : STEP_WRITE;
		} else if (!strncmp(call, "sendmsg(", 8)) {
			q = strstr(call, "iov_base=");
			assert_non_null(q);
			q += strlen("iov_base=");
			assert_non_null(strstr(call, "SCM_RIGHTS"));
			st->kind = STEP_SENDFD;
		} else {
			continue;
		}
		st->data = malloc(strlen(q) + 1);
		assert_non_null(st->data);
		st->len = unquote(q, &end, st->data);
		n++;
	}
	fclose(f);
	return n;
}

/* Values that differ between any two runs of any device model, made equal. */
static void normalise(json_t *v, const char *key)
{
	const char *k;
	json_t *member;
	size_t i;

	if (json_is_object(v)) {
		json_object_del(v, "timestamp");
		json_object_foreach(v, k, member)
			normalise(member, k);
		return;
	}
	if (json_is_array(v) && key && !strcmp(key, "capabilities")) {
		/* QEMU 7.2 offers out-of-band execution; hvmdm runs every command in order and offers none. */
		json_array_clear(v);
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, member)
			normalise(member, key);
		return;
	}
	if (!key)
		return;
	/* QEMU's version and build; a host thread id; the descriptor number add-fd chose. */
	if (json_is_integer(v) && (!strcmp(key, "micro") || !strcmp(key, "minor") ||
				   !strcmp(key, "major") || !strcmp(key, "fd") ||
				   (!strcmp(key, "thread-id") && json_integer_value(v) > 16)))
		json_integer_set(v, 0);
	if (json_is_string(v) && (!strcmp(key, "package") || !strcmp(key, "target") ||
				  !strcmp(key, "qom-path")))
		json_string_set(v, "");

}

struct replay {
	struct fake_dm dm;
	struct qmp_server q;
	char dir[64];
	char dm_path[108]; /* the capture's socket path of the running "DM" */
	int client;
};

static void serve(struct replay *r, int ms)
{
	loop_run_once(&r->dm.t->m.loop, ms);
}

/* One line from hvmdm (without CR LF), serving the server meanwhile; NULL after 5 s. */
static char *read_line(struct replay *r, char *buf, size_t cap, size_t *have)
{
	for (int tries = 0; tries < 500; tries++) {
		char *nl = memchr(buf, '\n', *have);

		if (nl) {
			size_t len = (size_t)(nl - buf) + 1;
			char *line = strndup(buf, len);

			memmove(buf, buf + len, *have - len);
			*have -= len;
			line[strcspn(line, "\r\n")] = 0;
			return line;
		}
		serve(r, 0);
		{
			struct pollfd p = { .fd = r->client, .events = POLLIN };

			if (poll(&p, 1, 10) == 1) {
				ssize_t k = recv(r->client, buf + *have, cap - *have, 0);

				if (k <= 0)
					return NULL;
				*have += (size_t)k;
			}
		}
	}
	return NULL;
}

/* Start the "device model" a connection in the capture speaks to (a new one per socket path). */
static void start_dm(struct replay *r, const char *captured_path)
{
	char path[160], stat_path[160], serial[160], err[256];
	const char *domid = strrchr(captured_path, '-') + 1;

	if (r->dm.t) {
		qmp_close(&r->q);
		tm_free(r->dm.t);
	}
	snprintf(serial, sizeof(serial), "file:%s/serial.log", r->dir);
	memset(&r->dm, 0, sizeof(r->dm));
	r->dm.t = tm_new(PROFILE_XENFV, 1, serial);
	/* Running: the captured argv has no -S (argv-qemu-xen-min.txt), so libxl's cont changes nothing. */
	r->dm.paused = false;
	qmp_init(&r->q, &fake_target, &r->dm);
	/* libxl's two monitors (xen-captures/argv-qemu-xen-min.txt), in its directory's stead ours. */
	snprintf(path, sizeof(path), "%s/qmp-libxl-%s", r->dir, domid);
	snprintf(stat_path, sizeof(stat_path), "%s/qmp-libxenstat-%s", r->dir, domid);
	if (qmp_add_monitor(&r->q, path, "libxl-cmd", err, sizeof(err)) ||
	    qmp_add_monitor(&r->q, stat_path, "libxenstat-cmd", err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(qmp_attach_loop(&r->q, &r->dm.t->m.loop), 0);
	snprintf(r->dm_path, sizeof(r->dm_path), "%s", captured_path);
}

static void connect_client(struct replay *r, const char *captured_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strcmp(captured_path, r->dm_path))
		start_dm(r, captured_path);
	if (r->client >= 0)
		close(r->client);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", r->dir, captured_path + strlen(CAPTURE_DIR));
	r->client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(r->client >= 0);
	assert_int_equal(connect(r->client, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

/* Bytes as libxl wrote them; with a descriptor on the first (add-fd), as its sendmsg. */
static void send_bytes(struct replay *r, const struct step *st, int fd)
{
	if (st->kind == STEP_SENDFD) {
		char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
		struct iovec iov = { .iov_base = st->data, .iov_len = st->len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		assert_int_equal(sendmsg(r->client, &msg, 0), (ssize_t)st->len);
	} else {
		assert_int_equal(write(r->client, st->data, st->len), (ssize_t)st->len);
	}
	serve(r, 0);
}

static void expect_reply(struct replay *r, const struct step *st, char *buf, size_t cap, size_t *have)
{
	char *text = strndup(st->data, st->len), *save = NULL;
	/* Socket paths: the capture's directory is ours. */
	for (char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		json_error_t jerr;
		json_t *want = json_loads(line, 0, &jerr), *got = NULL;
		char *got_line = NULL;

		if (!want)
			fail_msg("capture: %s: %s", line, jerr.text);
		/* hvmdm may send events QEMU sent later (after libxl had closed): skip them, not expected ones. */
		for (;;) {
			got_line = read_line(r, buf, cap, have);
			if (!got_line)
				fail_msg("no answer where QEMU said: %s", line);
			got = json_loads(got_line, 0, &jerr);
			if (!got)
				fail_msg("hvmdm sent bad JSON: %s", got_line);
			if (json_object_get(got, "event") && !json_object_get(want, "event")) {
				json_decref(got);
				free(got_line);
				continue;
			}
			break;
		}
		{
			char *w = json_dumps(want, JSON_COMPACT), *fixed;
			size_t dlen = strlen(CAPTURE_DIR);
			char *at;
			json_t *wantfixed;

			/* Rewrite /var/run/xen/ to our directory inside strings. */
			fixed = calloc(1, strlen(w) * 2 + 256);
			assert_non_null(fixed);
			for (char *src = w, *dst = fixed;;) {
				at = strstr(src, CAPTURE_DIR);
				if (!at) {
					strcpy(dst, src);
					break;
				}
				memcpy(dst, src, (size_t)(at - src));
				dst += at - src;
				dst += sprintf(dst, "%s/", r->dir);
				src = at + dlen;
			}
			wantfixed = json_loads(fixed, 0, &jerr);
			assert_non_null(wantfixed);
			json_decref(want);
			want = wantfixed;
			free(w);
			free(fixed);
		}
		normalise(want, NULL);
		normalise(got, NULL);
		if (!json_equal(want, got)) {
			char *a = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
			char *b = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);

			fail_msg("QEMU said %s\nhvmdm said %s", a, b);
		}
		json_decref(want);
		json_decref(got);
		free(got_line);
	}
	free(text);
}

static void test_libxl_conversation(void **state)
{
	static struct step steps[256];
	struct replay r = { .client = -1 };
	unsigned int n = load_capture(steps, 256), reads = 0, writes = 0, conns = 0;
	char buf[65536];
	size_t have = 0;
	char state_file[96];
	int fd;

	(void)state;
	snprintf(r.dir, sizeof(r.dir), "/tmp/hvmdm-qmp-replay.XXXXXX");
	assert_non_null(mkdtemp(r.dir));
	snprintf(state_file, sizeof(state_file), "%s/device-state", r.dir);
	fd = open(state_file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (unsigned int i = 0; i < n; i++) {
		const struct step *st = &steps[i];

		switch (st->kind) {
		case STEP_CONNECT:
			connect_client(&r, st->path);
			have = 0;
			conns++;
			break;
		case STEP_WRITE:
		case STEP_SENDFD:
			send_bytes(&r, st, fd);
			writes++;
			break;
		case STEP_READ:
			expect_reply(&r, st, buf, sizeof(buf), &have);
			reads++;
			break;
		}
		/* After each command libxl's effects are visible at once. */
		if (st->kind == STEP_READ && i + 1 < n && steps[i + 1].kind == STEP_CONNECT)
			serve(&r, 0);
	}
	/* The whole conversation, and what it did to the device model. */
	assert_int_equal(conns, 8);
	assert_int_equal(writes, 19);
	assert_int_equal(reads, 26);
	assert_false(r.dm.paused);        /* the restored one was continued */
	assert_int_equal(dirty_log_on, 1); /* xl save: log-dirty on, then off again */
	assert_int_equal(dirty_log_off, 1);
	assert_true(lseek(fd, 0, SEEK_END) > 0); /* xen-save-devices-state wrote the fdset's file */
	close(fd);
	close(r.client);
	qmp_close(&r.q);
	tm_free(r.dm.t);
	unlink(state_file);
	{
		char serial[96];

		snprintf(serial, sizeof(serial), "%s/serial.log", r.dir);
		unlink(serial);
	}
	rmdir(r.dir);
	for (unsigned int i = 0; i < n; i++)
		free(steps[i].data);
}

/* Send one command line, return its reply (events skipped); the caller frees it. */
static json_t *command(struct replay *r, char *buf, size_t cap, size_t *have, const char *line)
{
	assert_int_equal(write(r->client, line, strlen(line)), (ssize_t)strlen(line));
	for (;;) {
		char *text = read_line(r, buf, cap, have);
		json_t *v;

		assert_non_null(text);
		v = json_loads(text, 0, NULL);
		free(text);
		assert_non_null(v);
		if (!json_object_get(v, "event"))
			return v;
		json_decref(v);
	}
}

/*
 * The display's commands as libxl and an administrator use them: query-vnc
 * (host and service as strings: libxl writes them to xenstore),
 * change-vnc-password, screendump, and human-monitor-command's screendump
 * and info lines.
 */
static void test_display_commands(void **state)
{
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 1, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vnc = true };
	struct replay r = { .client = -1 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[8192], err[256], path[100], dump[160], line[400];
	size_t have = 0;
	json_t *v;
	const char *service;

	(void)state;
	snprintf(r.dir, sizeof(r.dir), "/tmp/hvmdm-qmp-display.XXXXXX");
	assert_non_null(mkdtemp(r.dir));
	strcpy(cfg.vnc_cfg.host, "127.0.0.1");
	cfg.vnc_cfg.display = 45;
	cfg.vnc_cfg.to = 99;
	cfg.vnc_cfg.password = true;
	r.dm.t = tm_new_cfg(&cfg);
	qmp_init(&r.q, &fake_target, &r.dm);
	snprintf(path, sizeof(path), "%s/qmp", r.dir);
	if (qmp_add_monitor(&r.q, path, "m", err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(qmp_attach_loop(&r.q, &r.dm.t->m.loop), 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r.client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(r.client, (struct sockaddr *)&sa, sizeof(sa)), 0);
	free(read_line(&r, buf, sizeof(buf), &have)); /* the greeting */
	json_decref(command(&r, buf, sizeof(buf), &have, "{\"execute\":\"qmp_capabilities\"}\n"));

	v = command(&r, buf, sizeof(buf), &have, "{\"execute\":\"query-vnc\"}\n");
	assert_true(json_is_true(json_object_get(json_object_get(v, "return"), "enabled")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "return"), "host")), "127.0.0.1");
	service = json_string_value(json_object_get(json_object_get(v, "return"), "service"));
	assert_non_null(service);
	assert_true(atoi(service) >= 5945 && atoi(service) <= 5999);
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "return"), "auth")), "vnc");
	json_decref(v);

	v = command(&r, buf, sizeof(buf), &have,
		    "{\"execute\":\"change-vnc-password\",\"arguments\":{\"password\":\"s3cret\"}}\n");
	assert_non_null(json_object_get(v, "return"));
	json_decref(v);

	snprintf(dump, sizeof(dump), "%s/screen.ppm", r.dir);
	snprintf(line, sizeof(line), "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}\n", dump);
	v = command(&r, buf, sizeof(buf), &have, line);
	assert_non_null(json_object_get(v, "return"));
	json_decref(v);
	assert_int_equal(access(dump, R_OK), 0);
	unlink(dump);
	snprintf(line, sizeof(line),
		 "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\",\"format\":\"bmp\"}}\n", dump);
	v = command(&r, buf, sizeof(buf), &have, line);
	assert_non_null(json_object_get(v, "error"));
	json_decref(v);

	snprintf(line, sizeof(line),
		 "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"screendump %s -f png\"}}\n",
		 dump);
	v = command(&r, buf, sizeof(buf), &have, line);
	assert_string_equal(json_string_value(json_object_get(v, "return")), "");
	json_decref(v);
	{
		FILE *fp = fopen(dump, "rb");
		unsigned char sig[8];

		assert_non_null(fp);
		assert_int_equal(fread(sig, 1, 8, fp), 8);
		fclose(fp);
		assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", 8);
	}
	unlink(dump);
	v = command(&r, buf, sizeof(buf), &have,
		    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info vnc\"}}\n");
	assert_non_null(strstr(json_string_value(json_object_get(v, "return")), "Server: 127.0.0.1:59"));
	json_decref(v);
	v = command(&r, buf, sizeof(buf), &have,
		    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"savevm x\"}}\n");
	assert_non_null(strstr(json_string_value(json_object_get(v, "return")), "unknown command"));
	json_decref(v);

	close(r.client);
	qmp_close(&r.q);
	tm_free(r.dm.t);
	unlink(path);
	rmdir(r.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libxl_conversation),
		cmocka_unit_test(test_display_commands),
	};

	log_set_level(LOG_ERROR);
	return cmocka_run_group_tests_name("qmp-replay", tests, NULL, NULL);
}
