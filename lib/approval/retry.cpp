#include "approval/retry.h"

#include <algorithm>
#include <random>
#include <thread>

namespace preloop::approval {
namespace {

bool retryable(const HttpResponse& r) {
  if (r.error == HttpError::Connect) return true;
  if (r.error != HttpError::None) return false;
  return r.status >= 500 || r.status == 429;
}

}  // namespace

HttpResponse perform_with_retry(HttpRequest req, const ApprovalSettings& settings,
                                std::chrono::steady_clock::time_point deadline, int* attempts) {
  using namespace std::chrono;
  using Clock = steady_clock;
  std::mt19937_64 rng(std::random_device{}());
  HttpResponse resp, answered;
  const auto give_up = Clock::now() + settings.retry_window;
  for (int attempt = 0;; ++attempt) {
    req.timeout = duration_cast<milliseconds>(deadline - Clock::now());
    resp = http_perform(req);
    *attempts = attempt + 1;
    if (resp.error == HttpError::None) answered = resp;
    // A service that kept answering with errors until the deadline cut the last
    // try short is reported by its last answer (HTTP 503), not as silent.
    if (resp.error == HttpError::Timeout && answered.status != 0) return answered;
    if (!retryable(resp)) break;
    const milliseconds backoff = std::min<milliseconds>(settings.retry_max, settings.retry_initial * (1LL << std::min(attempt, 20)));
    auto pause = milliseconds(std::uniform_int_distribution<long long>(0, backoff.count())(rng));
    if (resp.retry_after_seconds >= 0) pause = std::max<milliseconds>(pause, seconds(resp.retry_after_seconds));
    if (Clock::now() + pause + milliseconds(50) >= deadline) break;  // no time for another try
    if (Clock::now() + pause >= give_up) break;                      // the service stays down
    std::this_thread::sleep_for(pause);
  }
  return resp;
}

}  // namespace preloop::approval
