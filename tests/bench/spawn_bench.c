/* Whole-process timing with stdin from a file (hyperfine 1.15 cannot feed
 * stdin without a shell, whose start-up would swamp a ~1 ms process).
 * Usage: spawn_bench RUNS NAME STDIN_FILE PROG [ARGS...] [-- NAME STDIN_FILE PROG [ARGS...]]...
 * Cases are interleaved run by run so machine noise hits them alike.
 * Prints one line per case: name, median ms, p10, p90, p99, max, ratio to the first case,
 * and the median minor and major page faults of the process (getrusage). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  const char *name, *input;
  char **argv;
  double *t;
  long *minflt, *majflt;
} Case;

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static double run(const Case *c, long *minflt, long *majflt) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(c->input, O_RDONLY);
    int null = open("/dev/null", O_WRONLY);
    if (in < 0 || null < 0) _exit(126);
    dup2(in, 0);
    dup2(null, 1);
    dup2(null, 2);
    execv(c->argv[0], c->argv);
    _exit(127);
  }
  int st;
  struct rusage ru;
  wait4(pid, &st, 0, &ru);
  *minflt = ru.ru_minflt;
  *majflt = ru.ru_majflt;
  clock_gettime(CLOCK_MONOTONIC, &b);
  if (!WIFEXITED(st) || WEXITSTATUS(st) > 2) {
    fprintf(stderr, "%s: exited abnormally (status %d)\n", c->name, st);
    exit(1);
  }
  return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s RUNS NAME STDIN PROG [ARGS] [-- NAME STDIN PROG [ARGS]]...\n", argv[0]);
    return 2;
  }
  int runs = atoi(argv[1]);
  Case cases[32];
  int n = 0;
  for (int i = 2; i < argc && n < 32;) {
    Case *c = &cases[n++];
    c->name = argv[i];
    c->input = argv[i + 1];
    c->argv = &argv[i + 2];
    int j = i + 2;
    while (j < argc && strcmp(argv[j], "--") != 0) j++;
    if (j < argc) argv[j] = NULL;
    c->t = calloc(runs, sizeof(double));
    c->minflt = calloc(runs, sizeof(long));
    c->majflt = calloc(runs, sizeof(long));
    i = j + 1;
  }
  long mi, ma;
  for (int w = 0; w < 10; w++)
    for (int k = 0; k < n; k++) run(&cases[k], &mi, &ma);
  for (int r = 0; r < runs; r++)
    for (int k = 0; k < n; k++) cases[k].t[r] = run(&cases[k], &cases[k].minflt[r], &cases[k].majflt[r]);
  double floor_median = 0;
  for (int k = 0; k < n; k++) {
    qsort(cases[k].t, runs, sizeof(double), cmp);
    qsort(cases[k].minflt, runs, sizeof(long), cmp_long);
    qsort(cases[k].majflt, runs, sizeof(long), cmp_long);
    double med = cases[k].t[runs / 2];
    if (k == 0) floor_median = med;
    printf("  %-30s median %7.3f ms  p10 %7.3f  p90 %7.3f  p99 %8.3f  max %8.3f  %5.2fx floor  faults %4ld minor %ld major\n",
           cases[k].name, med, cases[k].t[runs / 10], cases[k].t[runs * 9 / 10], cases[k].t[runs * 99 / 100],
           cases[k].t[runs - 1], med / floor_median, cases[k].minflt[runs / 2], cases[k].majflt[runs / 2]);
  }
  return 0;
}
