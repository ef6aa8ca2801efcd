// SPDX-License-Identifier: GPL-2.0-only
/* Writing streams out: files replaced atomically, descriptors written whole. */
#include "testlib.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../state/output.h"

static void test_file_replaced_atomically(void **state)
{
	char dir[] = "/tmp/hvmdm-out-XXXXXX", path[128], err[256], buf[16] = { 0 };
	const uint8_t a[] = "first", b[] = "second stream";
	struct dirent *e;
	DIR *d;
	int fd, entries = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/save.hvmdm", dir);
	assert_int_equal(stream_write_file(path, a, sizeof(a), err, sizeof(err)), 0);
	assert_int_equal(stream_write_file(path, b, sizeof(b), err, sizeof(err)), 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), sizeof(b));
	close(fd);
	assert_string_equal(buf, "second stream");
	/* No temporary file is left behind. */
	d = opendir(dir);
	while ((e = readdir(d)))
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 1);
	/* Failure (no such directory) names the path and creates nothing. */
	snprintf(path, sizeof(path), "%s/missing/save.hvmdm", dir);
	assert_int_equal(stream_write_file(path, a, sizeof(a), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/save.hvmdm"));
	snprintf(path, sizeof(path), "%s/save.hvmdm", dir);
	unlink(path);
	rmdir(dir);
}

static void test_fd_written_whole(void **state)
{
	int p[2];
	uint8_t *big = malloc(1 << 20), *back = malloc(1 << 20);
	char err[256];
	size_t got = 0;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < (1 << 20); i++)
		big[i] = (uint8_t)(i * 7);
	assert_int_equal(pipe(p), 0);
	/* A non-blocking pipe much smaller than the stream: short writes and EAGAIN. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(stream_write_fd(p[1], big, 1 << 20, err, sizeof(err)) ? 1 : 0);
	}
	close(p[1]);
	while (got < (1 << 20)) {
		ssize_t n = read(p[0], back + got, (1 << 20) - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	assert_int_equal(got, 1 << 20);
	assert_memory_equal(big, back, 1 << 20);
	{
		int status;

		waitpid(pid, &status, 0);
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* A closed reader: an error, not a crash. */
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(stream_write_fd(p[1], big, 1 << 20, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "failed after 0 of"));
	close(p[1]);
	free(big);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_replaced_atomically),
		cmocka_unit_test(test_fd_written_whole),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
