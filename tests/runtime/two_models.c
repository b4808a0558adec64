/*===- two_models.c - two libraries that carry the runtime, one process ---===*
 *
 * Loads two libraries built from model.c (each with its own, internal copy of
 * the runtime) with RTLD_GLOBAL, runs them from several threads at once
 * (shared default pools and a context each), then unloads them: the
 * libraries' destructors retire their default pools, so no worker is left
 * to run unmapped code.
 * Usage: two_models LIBA.so LIBB.so
 *===----------------------------------------------------------------------===*/

#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int32_t (*run_fn)(const float *, float *, int64_t);
typedef void *(*create_fn)(int32_t);
typedef void (*destroy_fn)(void *);
typedef int32_t (*run_context_fn)(void *, const float *, float *, int64_t);

typedef struct Model {
  void *library;
  run_fn run;
  create_fn context_create;
  destroy_fn context_destroy;
  run_context_fn run_with_context;
} Model;

static void *symbol(void *library, const char *prefix, const char *name) {
  char full[128];
  snprintf(full, sizeof full, "%s_%s", prefix, name);
  void *address = dlsym(library, full);
  if (!address) {
    fprintf(stderr, "%s: %s\n", full, dlerror());
    exit(1);
  }
  return address;
}

static Model load(const char *path, const char *prefix) {
  Model model;
  model.library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!model.library) {
    fprintf(stderr, "%s\n", dlerror());
    exit(1);
  }
  if (dlsym(model.library, "cnnc_rt_parallel_for") ||
      dlsym(model.library, "cnnc_rt_pool_create")) {
    fprintf(stderr, "%s exports the runtime\n", path);
    exit(1);
  }
  model.run = (run_fn)symbol(model.library, prefix, "run");
  model.context_create =
      (create_fn)symbol(model.library, prefix, "context_create");
  model.context_destroy =
      (destroy_fn)symbol(model.library, prefix, "context_destroy");
  model.run_with_context =
      (run_context_fn)symbol(model.library, prefix, "run_with_context");
  return model;
}

/* The threads of this process, from /proc/self/task. */
static int count_threads(void) {
  DIR *tasks = opendir("/proc/self/task");
  if (!tasks)
    return -1;
  int count = 0;
  for (struct dirent *entry; (entry = readdir(tasks));)
    count += entry->d_name[0] != '.';
  closedir(tasks);
  return count;
}

enum { N = 1000, RUNS = 3000 };

typedef struct Job {
  Model *model;
  int use_context;
  int failures;
  int two_chunks; /* runs whose region had 2 chunks, inline or not */
} Job;

static void *job(void *argument) {
  Job *j = argument;
  float input[N], output[N];
  for (int i = 0; i < N; ++i)
    input[i] = (float)i;
  void *context = j->use_context ? j->model->context_create(2) : NULL;
  for (int r = 0; r < RUNS; ++r) {
    int32_t chunks = context
                         ? j->model->run_with_context(context, input, output, N)
                         : j->model->run(input, output, N);
    j->two_chunks += chunks == 2;
    for (int i = 0; i < N; ++i)
      j->failures += output[i] != 2 * input[i] + 1;
  }
  if (context)
    j->model->context_destroy(context);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s LIBA.so LIBB.so\n", argv[0]);
    return 2;
  }
  Model a = load(argv[1], "a"), b = load(argv[2], "b");
  /* Both models' default pools, two threads on model a's (one of them
   * runs inline whenever the other holds it), and a context each. */
  Job jobs[] = {{&a, 0, 0, 0},
                {&a, 0, 0, 0},
                {&b, 0, 0, 0},
                {&a, 1, 0, 0},
                {&b, 1, 0, 0}};
  enum { JOBS = sizeof jobs / sizeof *jobs };
  pthread_t threads[JOBS];
  for (int i = 0; i < JOBS; ++i)
    pthread_create(&threads[i], NULL, job, &jobs[i]);
  int failures = 0;
  for (int i = 0; i < JOBS; ++i) {
    pthread_join(threads[i], NULL);
    /* The same partition whether the pool was free or busy. */
    failures += jobs[i].failures + (RUNS - jobs[i].two_chunks);
    printf("job %d (model %c, %s): %d of %d runs with 2 chunks, %d wrong\n", i,
           jobs[i].model == &a ? 'a' : 'b',
           jobs[i].use_context ? "own context" : "default pool",
           jobs[i].two_chunks, RUNS, jobs[i].failures);
  }
  /* The destructors retire the default pools: their workers are joined, so
   * unmapping the code under them is safe. A worker left running would crash
   * during the pause. */
  dlclose(a.library);
  dlclose(b.library);
  int left = count_threads();
  if (left != 1) {
    fprintf(stderr,
            "%d threads left after dlclose: a destructor did not "
            "retire its pool\n",
            left);
    return 1;
  }
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);
  if (failures) {
    fprintf(stderr, "%d wrong outputs\n", failures);
    return 1;
  }
  printf("two models: ok\n");
  return 0;
}
