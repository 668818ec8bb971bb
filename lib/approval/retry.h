// Retrying an HTTP exchange within a deadline: connection failures, 429 and
// 5xx are retried with exponential backoff and full jitter (honouring
// Retry-After) for at most settings.retry_window; other answers, TLS
// failures and the deadline end it.
#pragma once

#include <chrono>

#include "approval/http.h"
#include "approval/settings.h"

namespace preloop::approval {

// req.timeout is set per attempt to the time left. *attempts counts the tries.
HttpResponse perform_with_retry(HttpRequest req, const ApprovalSettings& settings,
                                std::chrono::steady_clock::time_point deadline, int* attempts);

}  // namespace preloop::approval
