/*
 * timeexec: run one program and print its wall-clock time.
 *
 *   timeexec [-e NAME=VALUE]... [-o LOGFILE] [-t SECONDS] -- PROGRAM [ARG]...
 *
 * Forks, sets each NAME=VALUE in the child's environment only (so an
 * LD_PRELOAD reaches PROGRAM and nothing else), sends the child's stdout
 * and stderr to LOGFILE (default: inherited), execs PROGRAM, waits, and
 * prints "NANOSECONDS STATUS" on stdout.  The time is CLOCK_MONOTONIC from
 * just before fork() to just after waitpid() returns.  STATUS is the exit
 * status, or 128 + signal number if the child was killed.  With -t the
 * child is killed (SIGKILL) when it runs longer than SECONDS, and STATUS
 * says 137.  stdin is inherited.  Exit 0 when a measurement was printed (whatever the child
 * returned), 1 on an error of timeexec itself, 2 on usage errors.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TIMEEXEC_MAX_ENV	16

static void
usage(void)
{
	fprintf(stderr, "usage: timeexec [-e NAME=VALUE]... [-o LOGFILE] "
	    "[-t SECONDS] -- PROGRAM [ARG]...\n");
}

static uint64_t
ns_between(const struct timespec *a, const struct timespec *b)
{
	int64_t sec = (int64_t)b->tv_sec - (int64_t)a->tv_sec;
	int64_t nsec = (int64_t)b->tv_nsec - (int64_t)a->tv_nsec;

	return (uint64_t)(sec * 1000000000LL + nsec);
}

/* SIGALRM only has to interrupt waitpid(). */
static void
on_alarm(int sig)
{
	(void)sig;
}

/* In the child: environment, output, exec.  Never returns. */
static void
run_child(char **env, size_t n_env, const char *logfile, char **argv)
{
	size_t i;
	char *eq;
	int fd;

	for (i = 0; i < n_env; i++) {
		eq = strchr(env[i], '=');
		*eq = '\0';
		if (setenv(env[i], eq + 1, 1) != 0)
			_exit(127);
	}
	if (logfile != NULL) {
		fd = open(logfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
		    dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "timeexec: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int
main(int argc, char **argv)
{
	char *env[TIMEEXEC_MAX_ENV];
	const char *logfile = NULL;
	struct timespec t0, t1;
	struct sigaction sa;
	unsigned long limit = 0;
	size_t n_env = 0;
	pid_t pid, w;
	char *end;
	int c, status, code, killed = 0, ret = 1;

	while ((c = getopt(argc, argv, "+e:o:t:")) != -1) {
		switch (c) {
		case 'e':
			if (n_env == TIMEEXEC_MAX_ENV ||
			    strchr(optarg, '=') == NULL || optarg[0] == '=') {
				usage();
				return 2;
			}
			env[n_env++] = optarg;
			break;
		case 'o':
			logfile = optarg;
			break;
		case 't':
			errno = 0;
			limit = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || optarg[0] == '-' ||
			    limit < 1 || limit > 86400) {
				usage();
				return 2;
			}
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: waitpid gets EINTR */
	if (sigemptyset(&sa.sa_mask) != 0 ||
	    sigaction(SIGALRM, &sa, NULL) != 0) {
		perror("timeexec: sigaction");
		goto out;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) {
		perror("timeexec: clock_gettime");
		goto out;
	}
	if ((pid = fork()) < 0) {
		perror("timeexec: fork");
		goto out;
	}
	if (pid == 0)
		run_child(env, n_env, logfile, argv + optind);
	alarm((unsigned int)limit);
	for (;;) {
		w = waitpid(pid, &status, 0);
		if (w >= 0 || errno != EINTR)
			break;
		if (!killed) {	/* the alarm: over the limit */
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	alarm(0);
	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0 || w != pid) {
		perror("timeexec: waitpid");
		goto out;
	}
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		code = 128 + WTERMSIG(status);
	else
		code = 255;
	if (printf("%llu %d\n", (unsigned long long)ns_between(&t0, &t1),
	    code) < 0 || fflush(stdout) != 0)
		goto out;
	ret = 0;
out:
	return ret;
}
