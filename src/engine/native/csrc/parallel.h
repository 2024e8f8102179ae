// How the engine's work is shared across the OpenMP pool: a team that runs a whole pass with each thread on its own
// share (a training step forks once), plain loops split only when large enough to pay for a fork, and the calling
// thread alone for small oneDNN work. Inside a team, everything runs on the calling thread.
#pragma once

#include <omp.h>

#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include "common.h"

namespace mnl {

// Loops over fewer elements than this run on one thread: a parallel region's fork and barrier cost more than the
// work, and much more when another process holds a core.
constexpr dim kParallelMin = 1 << 15;

/** Thread t's share [begin, end) of n items split into nt consecutive near-equal ranges. */
struct Share {
  Share(dim n, int t, int nt) : begin(n * t / nt), end(n * (t + 1) / nt) {}
  dim size() const { return end - begin; }
  dim begin, end;
};

/** Whether the calling thread is one of a team's (then it runs everything it is given alone). */
inline bool inTeamThread() { return omp_in_parallel() != 0; }

/**
 * Runs fn(begin, end) over [0, n): split across the OpenMP threads when n is at least `minimum`, else in one
 * call. The loops inside fn are plain, so the compiler vectorises them.
 */
template <typename Fn>
void parallelRange(dim n, Fn fn, dim minimum = kParallelMin) {
  if (n < minimum || omp_get_max_threads() == 1 || inTeamThread()) {
    fn(dim(0), n);
    return;
  }
#pragma omp parallel
  {
    const Share share(n, omp_get_thread_num(), omp_get_num_threads());
    fn(share.begin, share.end);
  }
}

/** While alive, OpenMP work the calling thread starts (its own loops and oneDNN's) runs on that thread alone. */
class SerialScope {
 public:
  SerialScope() : saved_(omp_get_max_threads()) {
    if (saved_ > 1) omp_set_num_threads(1);
  }
  ~SerialScope() {
    if (saved_ > 1) omp_set_num_threads(saved_);
  }
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_;
};

/** Where a oneDNN op runs: across the pool, or on the calling thread alone (a team's thread running its share). */
enum class OpThreads { Pool, Caller };

/**
 * Runs a oneDNN op's work on its threads (the calling thread alone for OpThreads::Caller); a oneDNN failure
 * becomes a NativeError: what() names the op, the pass and the shape.
 */
template <typename What, typename Fn>
void onOpThreads(OpThreads threads, What what, Fn fn) {
  std::optional<SerialScope> serial;
  if (threads == OpThreads::Caller) serial.emplace();
  try {
    fn();
  } catch (const dnnl::error& e) {
    throw NativeError(what() + ": " + e.what());
  }
}

/** The threads for a pass over `elements` values: the whole pool when it pays for the fork, else one. */
inline int teamFor(dim elements) {
  return elements >= kParallelMin && !inTeamThread() ? omp_get_max_threads() : 1;
}

/**
 * Runs body(t, nt) on `threads` threads (in the calling thread when one), each thread doing its own share; an
 * `omp barrier` or `omp single` inside binds to this team. A C++ exception thrown in a thread is rethrown here.
 * Inside the team nothing may fail between two barriers (the others would wait for it): the passes only execute
 * what was built and checked before the team started.
 */
template <typename Body>
void inTeam(int threads, Body body) {
  if (threads == 1) {
    body(0, 1);
    return;
  }
  std::exception_ptr failure;
  std::mutex failureLock;
#pragma omp parallel num_threads(threads)
  {
    try {
      body(omp_get_thread_num(), omp_get_num_threads());
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failureLock);
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace mnl
