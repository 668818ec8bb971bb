// How long a failing sink waits before the next attempt: exponential with
// jitter, capped, and never less than what the receiver asked for (Retry-After).
#pragma once

#include <chrono>
#include <cstdint>

namespace preloop::forward {

inline constexpr std::chrono::milliseconds kBackoffInitial{1000};
inline constexpr std::chrono::milliseconds kBackoffMax{300000};

// After `failures` consecutive failures (>= 1): a delay drawn from
// [cap/2, cap] where cap = min(max, initial * 2^(failures-1)); `unit` in [0, 1)
// is the random draw. At least retry_after_s seconds when that is >= 0.
std::chrono::milliseconds backoff_delay(std::int64_t failures, double unit, long retry_after_s = -1,
                                        std::chrono::milliseconds initial = kBackoffInitial,
                                        std::chrono::milliseconds max = kBackoffMax);

// A uniform draw in [0, 1) from the system's random source.
double random_unit();

}  // namespace preloop::forward
